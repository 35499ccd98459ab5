/**
 * Loads the configuration: CLI flags, then the environment, then `.env` in the working
 * directory, then defaults — the first that sets a value wins. Every problem is collected
 * and reported together in one {@link ConfigError}. Only this folder reads the environment.
 */
import { z } from "zod";
import { CONFIG_FIELDS, type ConfigField } from "./fields.ts";
import { parseDotenv } from "./dotenv.ts";
import type { OpsConfig } from "./ops_fields.ts";

/** The parsed configuration every part of Blitz receives. */
export interface BlitzConfig extends OpsConfig {
  discordToken?: string;
  discordApiUrl: string;
  discordGatewayUrl?: string;
  devGuildId?: string;
  adminChannelId?: string;
  statsChannelId?: string;
  adminUserIds: string[];
  logLevel: "debug" | "info" | "warning" | "error" | "fatal";
  logFormat: "text" | "json";
  logFileMaxBytes: number;
  logFileCount: number;
  dataDir: string;
  httpHost: string;
  httpPort: number;
  timeZone: string;
  sandboxPort: number;
  /** SANDBOX_PLAYERS: simulated players started in sandbox mode. */
  sandboxPlayers: number;
  restTimeoutSeconds: number;
  /** DISCORD_REST_MAX_IN_FLIGHT: REST requests in flight at once, at most. */
  restMaxInFlight: number;
  shotClockSeconds: number;
  userRateBurst: number;
  userRatePerSecond: number;
  /** BACKUP_DIR; unset: `<data>/backups`. */
  backupDir?: string;
  backupKeep: number;
  backupKeepDays: number;
  backupCompress: boolean;
  backupCopyDir?: string;
  backupPostCommand?: string;
  backupPostCommandTimeoutSeconds: number;
  /** True when no token is set: Blitz runs against the built-in Discord sandbox. */
  sandbox: boolean;
}

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** The configuration is invalid; `problems` lists every problem found. Exit code 78. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: ConfigProblem[], options?: ErrorOptions) {
    super(
      `Configuration is invalid (${problems.length} problem${
        problems.length === 1 ? "" : "s"
      }):\n` +
        problems.map((p) => `  ${p.message}`).join("\n"),
      options,
    );
  }
}

/** Where the raw values come from; each is optional so tests can pass exactly what they need. */
export interface ConfigSources {
  /** Values from CLI flags, keyed by environment variable name. */
  flags?: Record<string, string | undefined>;
  /** The process environment (default: `Deno.env.toObject()`). */
  env?: Record<string, string>;
  /** `.env` file to read (default: `.env` in the working directory; missing is fine). */
  dotenvPath?: string | null;
}

const schema = z.object(
  Object.fromEntries(CONFIG_FIELDS.map((f) => [f.key, f.schema])),
);

/** Reads and validates the configuration, or throws a {@link ConfigError} listing every problem. */
export function loadConfig(sources: ConfigSources = {}): BlitzConfig {
  const env = sources.env ?? Deno.env.toObject();
  const flags = sources.flags ?? {};
  const problems: ConfigProblem[] = [];
  const dotenv = readDotenv(
    sources.dotenvPath === undefined ? ".env" : sources.dotenvPath,
    problems,
  );

  const raw: Record<string, string | undefined> = {};
  for (const field of CONFIG_FIELDS) {
    raw[field.key] = flags[field.env] ?? env[field.env] ?? dotenv[field.env] ?? field.defaultValue;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = CONFIG_FIELDS.find((f) => f.key === issue.path[0]);
      if (!field || seen.has(field.key)) continue;
      seen.add(field.key);
      problems.push({
        variable: field.env,
        message: describe(field, raw[field.key], issue.message),
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data as Omit<BlitzConfig, "sandbox">;
  return { ...config, sandbox: !config.discordToken };
}

function describe(field: ConfigField, value: string | undefined, problem: string): string {
  const shown = field.secret ? "(hidden)" : JSON.stringify(value ?? "");
  return `${field.env}=${shown} ${problem} (for example ${field.env}=${field.example})`;
}

function readDotenv(path: string | null, problems: ConfigProblem[]): Record<string, string> {
  if (path === null) return {};
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    problems.push({
      variable: ".env",
      message: `Cannot read "${path}": ${
        (error as Error).message
      } (fix its permissions or remove it)`,
    });
    return {};
  }
  const { values, problems: lines } = parseDotenv(text);
  for (const line of lines) {
    problems.push({
      variable: ".env",
      message:
        `"${path}" line ${line.line} is not KEY=value: "${line.text}" (for example LOG_LEVEL=info)`,
    });
  }
  return values;
}

/** Renders `.env.example`: every variable with its description and default. */
export function renderEnvExample(): string {
  const lines = [
    "# Blitz configuration. Copy to .env and edit; environment variables and CLI flags win over .env.",
    "# Every variable is optional. Without DISCORD_TOKEN, `blitz run` starts the built-in Discord sandbox.",
    "",
  ];
  for (const field of CONFIG_FIELDS) {
    lines.push(`# ${field.description}`);
    lines.push(
      field.defaultValue === undefined
        ? `# ${field.env}=${field.example}`
        : `${field.env}=${field.defaultValue}`,
    );
    lines.push("");
  }
  return lines.join("\n");
}
