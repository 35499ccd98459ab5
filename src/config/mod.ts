/** Configuration: the one place that reads the environment. */
export {
  type BlitzConfig,
  ConfigError,
  type ConfigProblem,
  type ConfigSources,
  loadConfig,
  renderEnvExample,
} from "./load.ts";
export { CONFIG_FIELDS, type ConfigField, systemTimeZone } from "./fields.ts";
export {
  type AlertThresholds,
  alertThresholdsOf,
  type OpsConfig,
  parseThresholdLevels,
  type ThresholdLevels,
} from "./ops_fields.ts";
