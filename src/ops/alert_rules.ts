/**
 * The alert rules as a pure function: a health sample and the thresholds in, one verdict per
 * rule out (severity, value, threshold and what to do). A rule trips at the most severe level
 * its value is strictly above ("more than 10 errors", "older than 26 h").
 */
import type { AlertThresholds, ThresholdLevels } from "../config/mod.ts";
import type { HealthSample } from "./monitor.ts";

/** How bad it is. */
export type Severity = "info" | "warning" | "critical";

/** Severities from least to most severe. */
export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

/** One rule's verdict. */
export interface RuleVerdict {
  /** Stable key: "memory", "error_rate", "job:backup", … */
  rule: string;
  /** What the rule watches, for people: "Memory (heap used)". */
  title: string;
  /** null: within limits (or not enough data to judge). */
  severity: Severity | null;
  value: number;
  unit: string;
  /** The level that was passed (or, when fine, the lowest level set). */
  threshold: number | null;
  /** The value as shown: "212 MB". */
  display: string;
  /** What an operator should do when it trips. */
  advice: string;
}

/** Commands needed in the window before the error rate is judged (1 failure of 2 is no trend). */
export const MIN_COMMANDS_FOR_RATE = 20;
/** Commands needed in the window before the p95 latency is judged. */
export const MIN_COMMANDS_FOR_LATENCY = 5;

/** The most severe level `value` is strictly above, with its threshold; null when none. */
export function levelFor(
  value: number,
  levels: ThresholdLevels,
): { severity: Severity; threshold: number } | null {
  for (const severity of [...SEVERITIES].reverse()) {
    const threshold = levels[severity];
    if (threshold !== undefined && value > threshold) return { severity, threshold };
  }
  return null;
}

function lowest(levels: ThresholdLevels): number | null {
  for (const severity of SEVERITIES) {
    if (levels[severity] !== undefined) return levels[severity]!;
  }
  return null;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function verdict(
  rule: string,
  title: string,
  value: number,
  unit: string,
  levels: ThresholdLevels,
  advice: string,
  options: { judge?: boolean; display?: string } = {},
): RuleVerdict {
  const level = options.judge === false ? null : levelFor(value, levels);
  return {
    rule,
    title,
    severity: level?.severity ?? null,
    value,
    unit,
    threshold: level?.threshold ?? lowest(levels),
    display: options.display ?? `${round(value)} ${unit}`.trim(),
    advice,
  };
}

/** Formats a duration in seconds as "3 h 5 min", "42 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "never";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Evaluates every health rule over one sample. */
export function evaluateRules(sample: HealthSample, thresholds: AlertThresholds): RuleVerdict[] {
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const verdicts: RuleVerdict[] = [];
  // The JavaScript heap in use, as the operations guides measure it (`heapUsed`): the
  // process's RSS also holds the runtime itself (~100 MB for Deno) and is shown, not judged.
  verdicts.push(verdict(
    "memory",
    "Memory (heap used)",
    round(mb(sample.memory.heapUsedBytes)),
    "MB",
    thresholds.memoryMb,
    "Check /admin health for what grows (games, errors); restart Blitz if memory keeps climbing (a leak).",
    {
      display: `${round(mb(sample.memory.heapUsedBytes))} MB (RSS ${
        round(mb(sample.memory.rssBytes))
      } MB)`,
    },
  ));
  const { commands } = sample;
  verdicts.push(verdict(
    "error_rate",
    "Command error rate (10 min)",
    round(commands.errorRatePercent, 2),
    "%",
    thresholds.errorRatePercent,
    "See /admin errors for the failing command; switch its feature off with /admin feature disable if it keeps failing.",
    {
      judge: commands.count >= MIN_COMMANDS_FOR_RATE,
      display: `${round(commands.errorRatePercent, 2)} % (${commands.errors} of ${commands.count})`,
    },
  ));
  verdicts.push(verdict(
    "latency_p95",
    "Command latency p95 (10 min)",
    commands.p95Ms ?? 0,
    "ms",
    thresholds.latencyP95Ms,
    "Look at CPU, event-loop delay and database size in /admin health; Discord gives up after 3 s.",
    { judge: commands.count >= MIN_COMMANDS_FOR_LATENCY && commands.p95Ms !== null },
  ));
  if (sample.disk) {
    verdicts.push(verdict(
      "disk",
      "Disk used (data volume)",
      sample.disk.usedPercent,
      "%",
      thresholds.diskUsedPercent,
      `Free space on the volume of ${sample.disk.path}: delete old backups (blitz backup prune) or logs, or grow the disk.`,
      {
        display: `${sample.disk.usedPercent} % (${
          round(mb(sample.disk.freeBytes) / 1024, 1)
        } GB free)`,
      },
    ));
  }
  verdicts.push(verdict(
    "database_size",
    "Database size (with WAL)",
    round(mb(sample.database.sizeBytes + sample.database.walBytes)),
    "MB",
    thresholds.databaseMb,
    "Run /admin vacuum; lower ARCHIVE_AFTER_DAYS so old games drop their play-by-play sooner.",
  ));
  const backupAge = sample.backup.lastVerifiedAgeSeconds ?? sample.backup.installedAgeSeconds;
  verdicts.push(verdict(
    "backup_age",
    "Last verified backup",
    backupAge === null ? 0 : round(backupAge / 3600, 3),
    "h",
    thresholds.backupAgeHours,
    "Run /admin backup now and check the backup job in /admin jobs (disk space, BACKUP_DIR permissions).",
    {
      judge: backupAge !== null,
      display: sample.backup.lastVerifiedAgeSeconds === null
        ? `none yet (set up ${formatDuration(backupAge ?? 0)} ago)`
        : `${formatDuration(backupAge!)} ago`,
    },
  ));
  verdicts.push(verdict(
    "gateway_down",
    "Discord gateway",
    sample.gateway.downSeconds,
    "s",
    thresholds.gatewayDownSeconds,
    "Check the network and https://discordstatus.com; Blitz reconnects by itself. Restart it if it stays down.",
    {
      display: sample.gateway.connected
        ? "connected"
        : `down for ${formatDuration(sample.gateway.downSeconds)}`,
    },
  ));
  verdicts.push(verdict(
    "errors",
    "Errors (10 min)",
    sample.errors.last10m,
    "",
    thresholds.errors10m,
    "See /admin errors for the categories and messages.",
  ));
  verdicts.push(verdict(
    "database_errors",
    "Database errors (10 min)",
    sample.errors.byCategory10m.database,
    "",
    thresholds.databaseErrors10m,
    "Run blitz doctor; check disk space and the database's integrity (/admin health); restore a backup if it is damaged.",
  ));
  return verdicts;
}

/** The most severe severity among verdicts ("ok" when none tripped). */
export function overallStatus(verdicts: readonly { severity: Severity | null }[]): "ok" | Severity {
  let worst: "ok" | Severity = "ok";
  for (const v of verdicts) {
    if (!v.severity) continue;
    if (worst === "ok" || SEVERITIES.indexOf(v.severity) > SEVERITIES.indexOf(worst)) {
      worst = v.severity;
    }
  }
  return worst;
}
