/**
 * Every configuration variable Blitz reads: its environment name, the CLI flag that can set
 * it, its default, an example of a good value and what it is for. The zod schema, the
 * error messages and `.env.example` are all derived from this one list.
 */
import { z } from "zod";
import { splitCommandLine } from "../ops/backup/argv.ts";
import { OPS_FIELDS } from "./ops_fields.ts";
import { DATA_DIR_DEFAULT, HTTP_HOST_DEFAULT, HTTP_PORT_DEFAULT } from "./dashboard_target.ts";

/** One configuration variable. */
export interface ConfigField {
  /** Key in the parsed {@link BlitzConfig}. */
  key: string;
  /** Environment variable name (also the `.env` key). */
  env: string;
  /** Default as it would be written in `.env`; undefined when the variable is optional. */
  defaultValue?: string;
  /** A good value, shown in error messages. */
  example: string;
  /** One line for `.env.example`. */
  description: string;
  /** Never print the value (tokens, secrets). */
  secret?: boolean;
  /** The zod schema for the raw string value (after defaults). */
  schema: z.ZodType;
}

const snowflake = z.string().regex(/^\d{17,20}$/, "must be a Discord id: 17 to 20 digits");
const optionalSnowflake = z.union([z.literal(""), snowflake]).optional()
  .transform((v) => v || undefined);
const port = z.string().regex(/^\d+$/, "must be a whole number from 0 to 65535")
  .transform(Number).pipe(z.number().int().min(0).max(65535, "must be at most 65535"));
const positiveInt = (max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1").max(max, `must be at most ${max}`));
const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The local time zone of this machine, falling back to UTC. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** All configuration fields, in the order `.env.example` lists them. */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  {
    key: "discordToken",
    env: "DISCORD_TOKEN",
    example: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456",
    description:
      "Bot token from https://discord.com/developers/applications (Bot → Reset Token). Unset: run against the built-in sandbox.",
    secret: true,
    schema: z.union([
      z.literal(""),
      z.string().regex(
        /^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/,
        "does not look like a Discord bot token (three parts separated by dots)",
      ),
    ]).optional().transform((v) => v || undefined),
  },
  {
    key: "discordApiUrl",
    env: "DISCORD_API_URL",
    defaultValue: "https://discord.com/api",
    example: "https://discord.com/api",
    description: "Discord REST base URL (without /v10). Set only for a proxy.",
    schema: url(["http:", "https:"]),
  },
  {
    key: "discordGatewayUrl",
    env: "DISCORD_GATEWAY_URL",
    example: "wss://gateway.discord.gg",
    description: "Discord Gateway URL. Unset: asked from GET /gateway/bot.",
    schema: z.union([z.literal(""), url(["ws:", "wss:"])]).optional().transform((v) =>
      v || undefined
    ),
  },
  {
    key: "devGuildId",
    env: "DEV_GUILD_ID",
    example: "123456789012345678",
    description: "Sync slash commands to this guild only (instant updates while developing).",
    schema: optionalSnowflake,
  },
  {
    key: "adminChannelId",
    env: "ADMIN_CHANNEL_ID",
    example: "123456789012345678",
    description: "Channel for alerts and maintenance notices.",
    schema: optionalSnowflake,
  },
  {
    key: "statsChannelId",
    env: "STATS_CHANNEL_ID",
    example: "123456789012345678",
    description: "Channel for the daily and weekly reports.",
    schema: optionalSnowflake,
  },
  {
    key: "adminUserIds",
    env: "ADMIN_USER_IDS",
    defaultValue: "",
    example: "123456789012345678,234567890123456789",
    description: "Comma-separated user ids allowed to use /admin in every guild.",
    schema: z.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(snowflake)),
  },
  {
    key: "logLevel",
    env: "LOG_LEVEL",
    defaultValue: "info",
    example: "info",
    description: "Least severe level logged: debug, info, warning, error or fatal.",
    schema: z.string().transform((v) => v.toLowerCase() === "warn" ? "warning" : v.toLowerCase())
      .pipe(
        z.enum(["debug", "info", "warning", "error", "fatal"], {
          message: "must be one of debug, info, warning, error, fatal",
        }),
      ),
  },
  {
    key: "logFormat",
    env: "LOG_FORMAT",
    defaultValue: "text",
    example: "json",
    description: "Log format on stderr: text (readable) or json (one JSON object a line).",
    schema: z.enum(["text", "json"], { message: "must be text or json" }),
  },
  {
    key: "logFileMaxBytes",
    env: "LOG_FILE_MAX_BYTES",
    defaultValue: "10485760",
    example: "10485760",
    description: "Rotate <data>/logs/blitz.log when it reaches this many bytes.",
    schema: positiveInt(1024 * 1024 * 1024),
  },
  {
    key: "logFileCount",
    env: "LOG_FILE_COUNT",
    defaultValue: "5",
    example: "5",
    description: "How many rotated log files to keep.",
    schema: positiveInt(100),
  },
  {
    key: "dataDir",
    env: "BLITZ_DATA_DIR",
    defaultValue: DATA_DIR_DEFAULT,
    example: "/var/lib/blitz",
    description: "Data directory: blitz.db, backups/, logs/, admin.token, blitz.lock.",
    schema: z.string().min(1, "must not be empty"),
  },
  {
    key: "httpHost",
    env: "BLITZ_HTTP_HOST",
    defaultValue: HTTP_HOST_DEFAULT,
    example: "127.0.0.1",
    description: "Address the HTTP server (/health, /metrics, /api) listens on.",
    schema: z.string().min(1, "must not be empty"),
  },
  {
    key: "httpPort",
    env: "BLITZ_HTTP_PORT",
    defaultValue: HTTP_PORT_DEFAULT,
    example: "8000",
    description: "Port of the HTTP server (0: any free port).",
    schema: port,
  },
  {
    key: "timeZone",
    env: "BLITZ_TIMEZONE",
    example: "Europe/Berlin",
    description: "IANA time zone for schedules and reports. Unset: this machine's zone.",
    schema: z.union([z.literal(""), z.string().refine(isTimeZone, "is not a known IANA time zone")])
      .optional().transform((v) => v || systemTimeZone()),
  },
  {
    key: "sandboxPort",
    env: "SANDBOX_PORT",
    defaultValue: "8001",
    example: "8001",
    description: "Sandbox mode only: port of the local Discord on 127.0.0.1 (0: any free port).",
    schema: port,
  },
  {
    key: "sandboxPlayers",
    env: "SANDBOX_PLAYERS",
    defaultValue: "4",
    example: "4",
    description:
      "Sandbox mode only: simulated players who play in #arena so metrics and the dashboard show life (0: none).",
    schema: z.string().regex(/^\d+$/, "must be a whole number").transform(Number)
      .pipe(z.number().int().max(500, "must be at most 500")),
  },
  {
    key: "restTimeoutSeconds",
    env: "DISCORD_REST_TIMEOUT_SECONDS",
    defaultValue: "15",
    example: "15",
    description:
      "Give up on one Discord REST request after this many seconds (it is then retried or reported).",
    schema: positiveInt(300),
  },
  {
    key: "restMaxInFlight",
    env: "DISCORD_REST_MAX_IN_FLIGHT",
    defaultValue: "32",
    example: "32",
    description:
      "Discord REST requests in flight at once, at most; the others wait their turn (a burst then reuses connections instead of opening hundreds).",
    schema: positiveInt(1024),
  },
  {
    key: "shotClockSeconds",
    env: "SHOT_CLOCK_SECONDS",
    defaultValue: "30",
    example: "30",
    description: "Shot clock of a possession, in seconds, where a guild has not set its own.",
    schema: positiveInt(3600).pipe(z.number().min(3, "must be at least 3")),
  },
  {
    key: "userRateBurst",
    env: "USER_RATE_BURST",
    defaultValue: "5",
    example: "5",
    description: "Per-user rate limit: commands and clicks a user may make in a burst.",
    schema: positiveInt(1000),
  },
  {
    key: "userRatePerSecond",
    env: "USER_RATE_PER_SECOND",
    defaultValue: "2",
    example: "2",
    description: "Per-user rate limit: commands and clicks per second after the burst.",
    schema: positiveInt(1000),
  },
  {
    key: "backupDir",
    env: "BACKUP_DIR",
    example: "/mnt/backups/blitz",
    description: "Directory of backups and their manifest.json. Unset: <data>/backups.",
    schema: z.string().optional().transform((v) => v || undefined),
  },
  {
    key: "backupKeep",
    env: "BACKUP_KEEP",
    defaultValue: "7",
    example: "7",
    description: "Retention: keep the newest N scheduled backups (blitz backup prune).",
    schema: positiveInt(10_000),
  },
  {
    key: "backupKeepDays",
    env: "BACKUP_KEEP_DAYS",
    defaultValue: "30",
    example: "30",
    description:
      "Retention: also keep the newest scheduled backup of each of the last N days (0: off).",
    schema: z.string().regex(/^\d+$/, "must be a whole number").transform(Number)
      .pipe(z.number().int().max(3650, "must be at most 3650")),
  },
  {
    key: "backupCompress",
    env: "BACKUP_COMPRESS",
    defaultValue: "false",
    example: "true",
    description: "Gzip backups (.db.gz) unless a request says otherwise.",
    schema: z.string().transform((v) => v.toLowerCase()).pipe(
      z.enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" }),
    ).transform((v) => v === "true" || v === "1" || v === "yes"),
  },
  {
    key: "backupCopyDir",
    env: "BACKUP_COPY_DIR",
    example: "/mnt/offsite/blitz",
    description:
      "Off-site copy: a mounted directory every new backup (and the manifest) is copied to.",
    schema: z.string().optional().transform((v) => v || undefined),
  },
  {
    key: "backupPostCommand",
    env: "BACKUP_POST_COMMAND",
    example: "rclone copy {file} remote:blitz-backups",
    description:
      "Off-site copy: a command run after every backup, without a shell; {file} is the backup's path (else appended).",
    secret: true,
    schema: z.string().optional().refine((v) => {
      if (!v) return true;
      try {
        return splitCommandLine(v).length > 0;
      } catch {
        return false;
      }
    }, "is not a command line (unterminated quote?)").transform((v) => v || undefined),
  },
  {
    key: "backupPostCommandTimeoutSeconds",
    env: "BACKUP_POST_COMMAND_TIMEOUT_SECONDS",
    defaultValue: "600",
    example: "600",
    description: "Stop BACKUP_POST_COMMAND after this many seconds (counted as a failure).",
    schema: positiveInt(86_400),
  },
  ...OPS_FIELDS,
];
