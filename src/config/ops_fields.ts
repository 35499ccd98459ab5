/**
 * The operations variables: schedules, retention, health sampling, alert thresholds, the
 * alert webhook, the circuit breaker and (sandbox only) fault injection. Listed after the
 * skeleton's fields in `.env.example`. Cron expressions are checked here (with croner), so an
 * invalid one is a configuration error at start, not a silent job that never runs.
 */
import { z } from "zod";
import { Cron } from "croner";
import type { ConfigField } from "./fields.ts";

/** One rule's thresholds; a rule trips at the most severe level its value is above. */
export interface ThresholdLevels {
  info?: number;
  warning?: number;
  critical?: number;
}

/** The alert thresholds, one entry per rule (units in the names). */
export interface AlertThresholds {
  memoryMb: ThresholdLevels;
  errorRatePercent: ThresholdLevels;
  latencyP95Ms: ThresholdLevels;
  diskUsedPercent: ThresholdLevels;
  databaseMb: ThresholdLevels;
  backupAgeHours: ThresholdLevels;
  gatewayDownSeconds: ThresholdLevels;
  errors10m: ThresholdLevels;
  databaseErrors10m: ThresholdLevels;
}

/** The parsed operations configuration (part of `BlitzConfig`). */
export interface OpsConfig {
  backupCron: string;
  maintenanceCron: string;
  reportCron: string;
  weeklyReportCron: string;
  healthIntervalSeconds: number;
  logRetentionDays: number;
  archiveAfterDays: number;
  alertCooldownSeconds: number;
  alertWebhookUrl?: string;
  alertMemoryMb: ThresholdLevels;
  alertErrorRatePercent: ThresholdLevels;
  alertLatencyP95Ms: ThresholdLevels;
  alertDiskUsedPercent: ThresholdLevels;
  alertDatabaseMb: ThresholdLevels;
  alertBackupAgeHours: ThresholdLevels;
  alertGatewayDownSeconds: ThresholdLevels;
  alertErrors10m: ThresholdLevels;
  alertDatabaseErrors10m: ThresholdLevels;
  circuitBreakerErrors: number;
  circuitBreakerWindowMinutes: number;
  shutdownGraceSeconds: number;
  /** BLITZ_FAULT_INJECT: honoured only in sandbox mode (tests). */
  faultInject: string[];
}

/** The thresholds of a config, keyed by rule, for the alert rules. */
export function alertThresholdsOf(config: OpsConfig): AlertThresholds {
  return {
    memoryMb: config.alertMemoryMb,
    errorRatePercent: config.alertErrorRatePercent,
    latencyP95Ms: config.alertLatencyP95Ms,
    diskUsedPercent: config.alertDiskUsedPercent,
    databaseMb: config.alertDatabaseMb,
    backupAgeHours: config.alertBackupAgeHours,
    gatewayDownSeconds: config.alertGatewayDownSeconds,
    errors10m: config.alertErrors10m,
    databaseErrors10m: config.alertDatabaseErrors10m,
  };
}

const LEVELS = ["info", "warning", "critical"] as const;

/**
 * Parses "warning=100,critical=200" (any of info, warning, critical; a bare number means
 * warning). Levels must rise with severity. Throws a RangeError with what is wrong.
 */
export function parseThresholdLevels(text: string): ThresholdLevels {
  const levels: ThresholdLevels = {};
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "off") return levels;
  for (const part of trimmed.split(",")) {
    const [rawKey, rawValue] = part.includes("=") ? part.split("=", 2) : ["warning", part];
    const key = rawKey!.trim().toLowerCase();
    if (!(LEVELS as readonly string[]).includes(key)) {
      throw new RangeError(`"${rawKey}" is not a level (use info, warning or critical)`);
    }
    const value = Number(rawValue!.trim());
    if (rawValue!.trim() === "" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`the ${key} level "${rawValue}" is not a number ≥ 0`);
    }
    levels[key as keyof ThresholdLevels] = value;
  }
  const set = LEVELS.filter((l) => levels[l] !== undefined);
  for (let i = 1; i < set.length; i++) {
    if (levels[set[i]!]! <= levels[set[i - 1]!]!) {
      throw new RangeError(`the ${set[i]} level must be above the ${set[i - 1]} level`);
    }
  }
  return levels;
}

const levelsSchema = z.string().transform((value, ctx) => {
  try {
    return parseThresholdLevels(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `is not a threshold: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const cronSchema = z.string().refine((value) => {
  try {
    new Cron(value, { paused: true });
    return value.trim() !== "";
  } catch {
    return false;
  }
}, "is not a valid cron expression (minute hour day-of-month month day-of-week)");

const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number)
    .pipe(
      z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
    );

function threshold(
  key: string,
  env: string,
  defaultValue: string,
  what: string,
): ConfigField {
  return {
    key,
    env,
    defaultValue,
    example: defaultValue,
    description:
      `Alert when ${what} is above these levels (info=, warning=, critical=; empty: never).`,
    schema: levelsSchema,
  };
}

/** The operations fields, in the order `.env.example` lists them. */
export const OPS_FIELDS: readonly ConfigField[] = [
  {
    key: "backupCron",
    env: "BACKUP_CRON",
    defaultValue: "0 4 * * *",
    example: "0 4 * * *",
    description: "When the scheduled backup runs (cron, in BLITZ_TIMEZONE).",
    schema: cronSchema,
  },
  {
    key: "maintenanceCron",
    env: "MAINTENANCE_CRON",
    defaultValue: "30 4 * * *",
    example: "30 4 * * *",
    description:
      "When maintenance runs: VACUUM/ANALYZE, quick_check, log pruning, archiving, backup pruning.",
    schema: cronSchema,
  },
  {
    key: "reportCron",
    env: "REPORT_CRON",
    defaultValue: "0 23 * * *",
    example: "0 23 * * *",
    description: "When the daily report is posted to the stats channel (cron, BLITZ_TIMEZONE).",
    schema: cronSchema,
  },
  {
    key: "weeklyReportCron",
    env: "WEEKLY_REPORT_CRON",
    defaultValue: "5 23 * * 0",
    example: "5 23 * * 0",
    description: "When the weekly report is posted (cron, BLITZ_TIMEZONE; default Sunday 23:05).",
    schema: cronSchema,
  },
  {
    key: "healthIntervalSeconds",
    env: "HEALTH_INTERVAL_SECONDS",
    defaultValue: "300",
    example: "300",
    description: "How often the health check samples and evaluates the alert rules, in seconds.",
    schema: wholeNumber(1, 86_400),
  },
  {
    key: "logRetentionDays",
    env: "LOG_RETENTION_DAYS",
    defaultValue: "30",
    example: "30",
    description: "Maintenance deletes log files and job-run records older than this many days.",
    schema: wholeNumber(1, 3650),
  },
  {
    key: "archiveAfterDays",
    env: "ARCHIVE_AFTER_DAYS",
    defaultValue: "30",
    example: "30",
    description:
      "Maintenance archives games finished this many days ago: the result stays, the play-by-play goes.",
    schema: wholeNumber(1, 3650),
  },
  {
    key: "alertCooldownSeconds",
    env: "ALERT_COOLDOWN_SECONDS",
    defaultValue: "300",
    example: "300",
    description: "An alert of one rule and severity is sent at most once per this many seconds.",
    schema: wholeNumber(0, 7 * 86_400),
  },
  {
    key: "alertWebhookUrl",
    env: "ALERT_WEBHOOK_URL",
    example: "https://discord.com/api/webhooks/123/abc",
    description:
      "Discord webhook that also gets alerts when the admin channel cannot (gateway down, send failed, none set).",
    secret: true,
    schema: z.union([
      z.literal(""),
      z.string().refine((v) => {
        try {
          return ["http:", "https:"].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, "must be a URL starting with https://"),
    ]).optional().transform((v) => v || undefined),
  },
  threshold(
    "alertMemoryMb",
    "ALERT_MEMORY_MB",
    "warning=100,critical=200",
    "the JavaScript heap in use (MB)",
  ),
  threshold(
    "alertErrorRatePercent",
    "ALERT_ERROR_RATE_PERCENT",
    "warning=1,critical=5",
    "the share of commands failing over 10 minutes (%)",
  ),
  threshold(
    "alertLatencyP95Ms",
    "ALERT_LATENCY_P95_MS",
    "warning=500,critical=2000",
    "the 95th percentile command latency over 10 minutes (ms)",
  ),
  threshold(
    "alertDiskUsedPercent",
    "ALERT_DISK_USED_PERCENT",
    "warning=80,critical=95",
    "the data volume's used space (%)",
  ),
  threshold(
    "alertDatabaseMb",
    "ALERT_DATABASE_MB",
    "warning=1024",
    "the database with its WAL (MB)",
  ),
  threshold(
    "alertBackupAgeHours",
    "ALERT_BACKUP_AGE_HOURS",
    "warning=26,critical=50",
    "the age of the newest verified backup (hours)",
  ),
  threshold(
    "alertGatewayDownSeconds",
    "ALERT_GATEWAY_DOWN_SECONDS",
    "critical=60",
    "the time the Discord gateway has been down (s)",
  ),
  threshold("alertErrors10m", "ALERT_ERRORS_10M", "warning=10", "errors in the last 10 minutes"),
  threshold(
    "alertDatabaseErrors10m",
    "ALERT_DATABASE_ERRORS_10M",
    "critical=5",
    "database errors in the last 10 minutes",
  ),
  {
    key: "circuitBreakerErrors",
    env: "CIRCUIT_BREAKER_ERRORS",
    defaultValue: "5",
    example: "5",
    description:
      "A feature whose commands fail this many times within CIRCUIT_BREAKER_WINDOW_MINUTES is switched off.",
    schema: wholeNumber(1, 100_000),
  },
  {
    key: "circuitBreakerWindowMinutes",
    env: "CIRCUIT_BREAKER_WINDOW_MINUTES",
    defaultValue: "5",
    example: "5",
    description: "The window of the circuit breaker, in minutes.",
    schema: wholeNumber(1, 1440),
  },
  {
    key: "shutdownGraceSeconds",
    env: "SHUTDOWN_GRACE_SECONDS",
    defaultValue: "5",
    example: "5",
    description: "On SIGTERM, wait at most this long for interactions being handled to finish.",
    schema: wholeNumber(0, 60),
  },
  {
    key: "faultInject",
    env: "BLITZ_FAULT_INJECT",
    defaultValue: "",
    example: "command:blitz play",
    description:
      "Sandbox mode only, for tests: make handlers fail, e.g. command:blitz play (comma-separated).",
    schema: z.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
      .pipe(
        z.array(
          z.string().regex(/^command:.+$/, 'each entry must look like "command:blitz play"'),
        ),
      ),
  },
];
