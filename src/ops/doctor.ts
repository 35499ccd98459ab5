/**
 * `blitz doctor`'s checks: configuration, token shape, data directory permissions, database
 * integrity and schema, disk space, the HTTP port (or the running instance's health), the
 * newest backup's age and verification, admin and stats channels, clock and time zone. Each
 * check says what it found and, when it fails, how to fix it. Nothing here writes to the
 * database or takes the data directory's lock: doctor is safe next to a running Blitz.
 */
import { statfsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  type BlitzConfig,
  CONFIG_FIELDS,
  ConfigError,
  type ConfigProblem,
  loadConfig,
} from "../config/mod.ts";
import { parseDotenv } from "../config/dotenv.ts";
import { LATEST_SCHEMA_VERSION, looksLikeSqlite } from "../store/mod.ts";
import { inspectDatabase } from "../store/maintenance.ts";
import { backupOptionsFromConfig, createBackupService } from "./backup/mod.ts";
import { isLockOwnerAlive, readLock } from "./lock.ts";
import { diskUsedPercent } from "./monitor.ts";
import { formatDuration, levelFor } from "./alert_rules.ts";
import { nextRunAfter } from "../scheduler/schedule.ts";

/** One line of the checklist. "warn" is shown but does not fail the run. */
export interface DoctorCheck {
  name: string;
  status: "pass" | "warn" | "fail" | "skip";
  detail: string;
  fix?: string;
}

/** Where doctor reads the configuration from (as `loadConfig`), plus test seams. */
export interface DoctorOptions {
  flags?: Record<string, string | undefined>;
  env?: Record<string, string>;
  dotenvPath?: string | null;
  /** The current time (ms epoch); default the system clock. */
  now?: number;
  fetch?: typeof fetch;
}

const pass = (name: string, detail: string): DoctorCheck => ({ name, status: "pass", detail });
const warn = (name: string, detail: string, fix?: string): DoctorCheck => ({
  name,
  status: "warn",
  detail,
  ...(fix ? { fix } : {}),
});
const fail = (name: string, detail: string, fix: string): DoctorCheck => ({
  name,
  status: "fail",
  detail,
  fix,
});

/** Loads the configuration; on problems, loads it again without the bad variables. */
function loadLenient(options: DoctorOptions): {
  config?: BlitzConfig;
  problems: ConfigProblem[];
} {
  try {
    return { config: loadConfig(options), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const bad = new Set(error.problems.map((p) => p.variable));
    let dotenv: Record<string, string> = {};
    const dotenvPath = options.dotenvPath === undefined ? ".env" : options.dotenvPath;
    if (dotenvPath !== null) {
      try {
        dotenv = parseDotenv(Deno.readTextFileSync(dotenvPath)).values;
      } catch { /* reported as a problem already */ }
    }
    const merged: Record<string, string> = {
      ...dotenv,
      ...(options.env ?? Deno.env.toObject()),
    };
    for (const [key, value] of Object.entries(options.flags ?? {})) {
      if (value !== undefined) merged[key] = value;
    }
    for (const key of bad) delete merged[key];
    try {
      return { config: loadConfig({ env: merged, dotenvPath: null }), problems: error.problems };
    } catch {
      return { problems: error.problems };
    }
  }
}

function checkConfig(problems: ConfigProblem[]): DoctorCheck {
  const others = problems.filter((p) => p.variable !== "DISCORD_TOKEN");
  if (others.length === 0) return pass("Configuration", "valid");
  const examples = others.map((p) => {
    const field = CONFIG_FIELDS.find((f) => f.env === p.variable);
    return field ? `${field.env}=${field.example}` : p.variable;
  });
  return fail(
    "Configuration",
    others.map((p) => p.message).join("; "),
    `set a valid value, e.g. ${examples.join(", ")} (environment, .env or flag; see .env.example)`,
  );
}

function checkToken(config: BlitzConfig | undefined, problems: ConfigProblem[]): DoctorCheck {
  const problem = problems.find((p) => p.variable === "DISCORD_TOKEN");
  if (problem) {
    return fail(
      "Discord token",
      "DISCORD_TOKEN does not look like a bot token (three parts separated by dots)",
      "copy it again from https://discord.com/developers/applications → your app → Bot → Reset Token",
    );
  }
  if (!config?.discordToken) {
    return pass("Discord token", "not set: blitz run uses the built-in sandbox");
  }
  let botId = "";
  try {
    const part = config.discordToken.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/");
    botId = atob(part + "=".repeat((4 - (part.length % 4)) % 4));
  } catch { /* not base64: shape is still fine */ }
  return pass(
    "Discord token",
    /^\d{17,20}$/.test(botId)
      ? `looks like the token of bot ${botId} (Discord checks it on start)`
      : "has the shape of a bot token (Discord checks it on start)",
  );
}

function checkDataDir(dataDir: string): DoctorCheck {
  const name = "Data directory";
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dataDir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      return fail(
        name,
        `cannot read "${dataDir}": ${(error as Error).message}`,
        "fix its permissions",
      );
    }
    const parent = dirname(resolve(dataDir));
    try {
      const probe = join(parent, `.blitz-doctor-${Deno.pid}`);
      Deno.writeTextFileSync(probe, "");
      Deno.removeSync(probe);
      return pass(name, `"${dataDir}" does not exist yet: blitz run creates it`);
    } catch {
      return fail(
        name,
        `"${dataDir}" does not exist and "${parent}" is not writable`,
        `create it for the user that runs Blitz: mkdir -p ${dataDir}, or set BLITZ_DATA_DIR`,
      );
    }
  }
  if (!info.isDirectory) {
    return fail(name, `"${dataDir}" is not a directory`, "set BLITZ_DATA_DIR to a directory");
  }
  try {
    const probe = join(dataDir, `.blitz-doctor-${Deno.pid}`);
    Deno.writeTextFileSync(probe, "");
    Deno.removeSync(probe);
  } catch (error) {
    return fail(
      name,
      `"${dataDir}" is not writable: ${(error as Error).message}`,
      `give the user that runs Blitz write access: chown -R <user> ${dataDir}`,
    );
  }
  try {
    const token = Deno.statSync(join(dataDir, "admin.token"));
    if (token.mode !== null && (token.mode & 0o077) !== 0) {
      return fail(
        name,
        `admin.token is readable by other users (mode ${(token.mode & 0o777).toString(8)})`,
        `chmod 600 ${join(dataDir, "admin.token")}`,
      );
    }
  } catch { /* created 0600 on first run */ }
  return pass(name, `"${dataDir}" is writable; admin.token is private`);
}

function checkDatabase(dbPath: string): { check: DoctorCheck; counts?: Record<string, number> } {
  const name = "Database";
  const restoreFix =
    "keep the file for analysis, then restore the newest verified backup: blitz backup list; blitz restore <file>";
  const kind = looksLikeSqlite(dbPath);
  if (kind === "missing" || kind === "empty") {
    return { check: pass(name, "none yet: blitz run creates it") };
  }
  if (kind === "other") {
    return { check: fail(name, `"${dbPath}" is not a SQLite database`, restoreFix) };
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(dbPath, { readOnly: true });
    const inspection = inspectDatabase(db);
    if (inspection.integrityProblems.length > 0) {
      return {
        check: fail(
          name,
          `integrity check failed: ${inspection.integrityProblems.slice(0, 3).join("; ")}`,
          restoreFix,
        ),
      };
    }
    if (inspection.schemaVersion > LATEST_SCHEMA_VERSION) {
      return {
        check: fail(
          name,
          `schema version ${inspection.schemaVersion} is from a newer Blitz (this one knows ${LATEST_SCHEMA_VERSION})`,
          "run the newer Blitz, or restore a backup made by this version",
        ),
      };
    }
    if (!inspection.blitzSchema) {
      return {
        check: fail(
          name,
          `"${dbPath}" is not a Blitz database`,
          "point BLITZ_DATA_DIR at Blitz's data",
        ),
      };
    }
    const games = inspection.rowCounts.games ?? 0;
    const players = inspection.rowCounts.players ?? 0;
    const migrate = inspection.schemaVersion < LATEST_SCHEMA_VERSION
      ? `, migrated to ${LATEST_SCHEMA_VERSION} on next start`
      : "";
    return {
      check: pass(
        name,
        `intact, schema ${inspection.schemaVersion}${migrate}; ${games} games, ${players} players`,
      ),
      counts: inspection.rowCounts,
    };
  } catch (error) {
    return { check: fail(name, `cannot be read: ${(error as Error).message}`, restoreFix) };
  } finally {
    db?.close();
  }
}

function checkDisk(dataDir: string, config: BlitzConfig): DoctorCheck {
  const name = "Disk";
  let path = resolve(dataDir);
  while (true) {
    try {
      Deno.statSync(path);
      break;
    } catch {
      const parent = dirname(path);
      if (parent === path) break;
      path = parent;
    }
  }
  try {
    const fs = statfsSync(path);
    const used = Math.round(diskUsedPercent(fs) * 10) / 10;
    const freeGb = ((fs.bavail * fs.bsize) / 1024 ** 3).toFixed(1);
    const level = levelFor(used, config.alertDiskUsedPercent);
    const detail = `${used} % used, ${freeGb} GB free on the volume of "${path}"`;
    const fix =
      "free space: blitz backup prune, delete old logs, or move BLITZ_DATA_DIR / BACKUP_DIR to a bigger volume";
    if (level?.severity === "critical") {
      return fail(name, `${detail} (critical above ${level.threshold} %)`, fix);
    }
    if (level) return warn(name, `${detail} (${level.severity} above ${level.threshold} %)`, fix);
    return pass(name, detail);
  } catch (error) {
    return warn(name, `cannot read the free space: ${(error as Error).message}`);
  }
}

async function checkPort(config: BlitzConfig, fetchFn: typeof fetch): Promise<DoctorCheck> {
  const name = "HTTP port";
  const owner = readLock(config.dataDir);
  const host = config.httpHost === "0.0.0.0" || config.httpHost === "::"
    ? "127.0.0.1"
    : config.httpHost;
  if (owner && owner.pid !== Deno.pid && isLockOwnerAlive(owner)) {
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.httpPort}/health`;
    try {
      const response = await fetchFn(url, { signal: AbortSignal.timeout(3000) });
      const body = await response.json().catch(() => ({})) as {
        status?: string;
        failing?: string[];
      };
      if (response.status === 200 && body.status === "ok") {
        return pass(name, `Blitz (pid ${owner.pid}) is running and ${url} answers healthy`);
      }
      return fail(
        name,
        `Blitz (pid ${owner.pid}) is running but ${url} answers ${response.status}${
          body.failing?.length ? `: ${body.failing.join(", ")}` : ""
        }`,
        "read its log (<data>/logs/blitz.log) and /admin health; restart it if it does not recover",
      );
    } catch (error) {
      return fail(
        name,
        `Blitz (pid ${owner.pid}) holds the data directory but ${url} does not answer: ${
          (error as Error).message
        }`,
        "check BLITZ_HTTP_PORT matches the running instance, or restart it",
      );
    }
  }
  if (config.httpPort === 0) return pass(name, "port 0: any free port is used");
  try {
    const listener = Deno.listen({ hostname: config.httpHost, port: config.httpPort });
    listener.close();
    return pass(name, `${config.httpHost}:${config.httpPort} is free`);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      return fail(
        name,
        `${config.httpHost}:${config.httpPort} is used by another program`,
        "stop it, or set BLITZ_HTTP_PORT to a free port",
      );
    }
    return fail(
      name,
      `cannot listen on ${config.httpHost}:${config.httpPort}: ${(error as Error).message}`,
      "set BLITZ_HTTP_HOST to an address of this machine (0.0.0.0 for all)",
    );
  }
}

async function checkBackups(config: BlitzConfig, now: number): Promise<DoctorCheck> {
  const name = "Backups";
  const service = createBackupService({ dataDir: config.dataDir }, backupOptionsFromConfig(config));
  try {
    const listing = await service.list({ checksums: false });
    const newest = listing.backups.find((b) => b.state !== "failed" && b.state !== "missing");
    if (!newest) {
      return fail(
        name,
        `no backup in "${listing.dir}"`,
        `make one now: blitz backup (then blitz run makes one at ${config.backupCron}, ${config.timeZone})`,
      );
    }
    const ageSeconds = Math.max(0, (now - Date.parse(newest.createdAt)) / 1000);
    const report = await service.verify(newest.path, { record: false });
    if (!report.result.ok) {
      return fail(
        name,
        `the newest backup ${newest.file} fails verification: ${
          report.result.problems.slice(0, 2).join("; ")
        }`,
        "make a new one (blitz backup) and check the disk holding the backups",
      );
    }
    const level = levelFor(ageSeconds / 3600, config.alertBackupAgeHours);
    const detail = `newest ${newest.file}, ${formatDuration(ageSeconds)} old, verified`;
    if (level) {
      return fail(
        name,
        `${detail}, but older than ${level.threshold} h`,
        "run blitz backup and check the backup job (/admin jobs, the log) of the running instance",
      );
    }
    return pass(name, detail);
  } catch (error) {
    return fail(
      name,
      `cannot read the backups: ${(error as Error).message}`,
      "check BACKUP_DIR and its permissions",
    );
  } finally {
    await service.close(1000);
  }
}

function guildChannels(dbPath: string, key: string): number {
  if (looksLikeSqlite(dbPath) !== "sqlite") return 0;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(dbPath, { readOnly: true });
    const row = db.prepare("SELECT count(*) AS n FROM guild_settings WHERE key = ?").get(key) as {
      n: number;
    };
    return Number(row.n);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

function checkChannels(config: BlitzConfig, dbPath: string): DoctorCheck[] {
  const admin = guildChannels(dbPath, "admin_channel_id");
  const stats = guildChannels(dbPath, "stats_channel_id");
  const checks: DoctorCheck[] = [];
  if (config.adminChannelId) {
    checks.push(pass("Admin channel", `ADMIN_CHANNEL_ID=${config.adminChannelId}`));
  } else if (admin > 0) {
    checks.push(pass("Admin channel", `set by ${admin} server(s) with /admin settings`));
  } else if (config.alertWebhookUrl) {
    checks.push(pass("Admin channel", "no channel; alerts go to ALERT_WEBHOOK_URL"));
  } else {
    checks.push(
      fail(
        "Admin channel",
        "not set: alerts and maintenance notices go to the log only",
        "set ADMIN_CHANNEL_ID (or use /admin settings admin_channel, or ALERT_WEBHOOK_URL)",
      ),
    );
  }
  if (config.statsChannelId) {
    checks.push(pass("Stats channel", `STATS_CHANNEL_ID=${config.statsChannelId}`));
  } else if (stats > 0) {
    checks.push(pass("Stats channel", `set by ${stats} server(s) with /admin settings`));
  } else {
    checks.push(
      fail(
        "Stats channel",
        "not set: the daily and weekly reports are not posted",
        "set STATS_CHANNEL_ID (or use /admin settings stats_channel)",
      ),
    );
  }
  return checks;
}

function checkClock(config: BlitzConfig, now: number): DoctorCheck {
  const name = "Clock and time zone";
  if (new Date(now).getUTCFullYear() < 2024) {
    return fail(
      name,
      `the system clock says ${new Date(now).toISOString()}`,
      "set the clock (e.g. timedatectl set-ntp true): schedules, backups and tokens need it",
    );
  }
  const local = new Intl.DateTimeFormat("en-GB", {
    timeZone: config.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  });
  const next = nextRunAfter(
    { kind: "cron", expression: config.backupCron, timeZone: config.timeZone },
    now,
  );
  return pass(
    name,
    `${config.timeZone}: now ${local.format(new Date(now))}; next backup ${
      next ? local.format(new Date(next)) : "never"
    }`,
  );
}

/** Runs every check, in checklist order. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const now = options.now ?? Date.now();
  const { config, problems } = loadLenient(options);
  const checks: DoctorCheck[] = [checkConfig(problems), checkToken(config, problems)];
  if (!config) {
    const rest = [
      "Data directory",
      "Database",
      "Disk",
      "HTTP port",
      "Backups",
      "Admin channel",
      "Stats channel",
      "Clock and time zone",
    ];
    for (const name of rest) {
      checks.push({ name, status: "skip", detail: "skipped: the configuration cannot be read" });
    }
    return checks;
  }
  const dbPath = join(config.dataDir, "blitz.db");
  checks.push(checkDataDir(config.dataDir));
  checks.push(checkDatabase(dbPath).check);
  checks.push(checkDisk(config.dataDir, config));
  checks.push(await checkPort(config, options.fetch ?? fetch));
  checks.push(await checkBackups(config, now));
  checks.push(...checkChannels(config, dbPath));
  checks.push(checkClock(config, now));
  return checks;
}
