/**
 * Daily and weekly reports to the stats channel: games played and completed, active and top
 * players, commands and error rate, errors by category, uptime, backups made, memory,
 * database size and health. Gathering reads the store and the persisted counters; rendering
 * is a pure function of the figures.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { formatDuration } from "../ops/alert_rules.ts";
import { ERROR_CATEGORIES, type ErrorCategory } from "../ops/error_tracker.ts";
import type { PersistedCounters } from "../ops/counters.ts";
import type { GameFigures, ReportsRepo } from "../store/reports_repo.ts";

/** Which report. */
export type ReportKind = "daily" | "weekly";

/** Everything one report shows. Times in ms epoch. */
export interface ReportFigures {
  kind: ReportKind;
  periodStart: number;
  periodEnd: number;
  timeZone: string;
  games: GameFigures;
  commands: number;
  commandErrors: number;
  errorRatePercent: number;
  errorsByCategory: Record<ErrorCategory, number>;
  uptimeSeconds: number;
  backupsMade: number;
  memoryRssBytes: number | null;
  databaseBytes: number | null;
  health: "ok" | "info" | "warning" | "critical";
  activeAlerts: string[];
}

/** Counter names shared by the command hook and the reports. */
export const COUNTER_COMMANDS = "commands";
/** Failed commands (handler error or unanswered). */
export const COUNTER_COMMANDS_FAILED = "commands.failed";

const PERIOD_MS: Record<ReportKind, number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

/** The report's Discord message (snake_case body). */
export function renderReport(f: ReportFigures): { content: string; embeds: unknown[] } {
  const date = new Intl.DateTimeFormat("en-GB", {
    timeZone: f.timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(new Date(f.periodEnd));
  const title = f.kind === "daily"
    ? `📊 Daily report — ${date}`
    : `📊 Weekly report — week to ${date}`;
  const mb = (bytes: number | null) => bytes === null ? "—" : `${(bytes / 1048576).toFixed(1)} MB`;
  const top = f.games.topPlayers.length === 0
    ? "No wins yet."
    : f.games.topPlayers.map((p, i) =>
      `${["🥇", "🥈", "🥉"][i] ?? `${i + 1}.`} **${p.name}** — ${p.wins} win${
        p.wins === 1 ? "" : "s"
      } in ${p.games} (rating ${p.rating})`
    ).join("\n");
  const errors = ERROR_CATEGORIES.filter((c) => f.errorsByCategory[c] > 0)
    .map((c) => `${c} ${f.errorsByCategory[c]}`).join(", ") || "none";
  const healthIcon = { ok: "✅", info: "ℹ️", warning: "🟠", critical: "🔴" }[f.health];
  return {
    content: title,
    embeds: [{
      title,
      color: 0x3b82f6,
      description: f.kind === "daily" ? "The last 24 hours." : "The last 7 days.",
      fields: [
        { name: "Games played", value: String(f.games.started), inline: true },
        { name: "Games completed", value: String(f.games.completed), inline: true },
        {
          name: "Forfeited / abandoned",
          value: `${f.games.forfeited} / ${f.games.abandoned}`,
          inline: true,
        },
        { name: "Active players", value: String(f.games.activePlayers), inline: true },
        { name: "Commands", value: String(f.commands), inline: true },
        {
          name: "Error rate",
          value: `${f.errorRatePercent.toFixed(2)} % (${f.commandErrors} failed)`,
          inline: true,
        },
        { name: "Top players", value: top, inline: false },
        { name: "Errors by category", value: errors, inline: false },
        { name: "Uptime", value: formatDuration(f.uptimeSeconds), inline: true },
        { name: "Backups made", value: String(f.backupsMade), inline: true },
        { name: "Memory (RSS)", value: mb(f.memoryRssBytes), inline: true },
        { name: "Database", value: mb(f.databaseBytes), inline: true },
        {
          name: "Health",
          value: `${healthIcon} ${f.health}${
            f.activeAlerts.length ? ` (${f.activeAlerts.join(", ")})` : ""
          }`,
          inline: true,
        },
      ],
      timestamp: new Date(f.periodEnd).toISOString(),
    }],
  };
}

/** What the reporter reads and where it posts. */
export interface ReporterDeps {
  clock: Clock;
  logger: Logger;
  timeZone: string;
  reports: ReportsRepo;
  counters: PersistedCounters;
  /** Backups made in [fromMs, toMs). */
  backupsMade: (fromMs: number, toMs: number) => Promise<number>;
  uptimeSeconds: () => number;
  /** Memory, database size, health and active alerts, from the monitor. */
  healthFigures: () => Pick<
    ReportFigures,
    "memoryRssBytes" | "databaseBytes" | "health" | "activeAlerts"
  >;
  /** The stats channels (STATS_CHANNEL_ID and guilds' own). */
  channels: () => string[];
  post: (channelId: string, body: { content: string; embeds: unknown[] }) => Promise<void>;
  /** Is the "reports" feature on? */
  enabled: () => boolean;
}

/** The reporter. */
export interface Reporter {
  gather(kind: ReportKind, periodEnd?: number): Promise<ReportFigures>;
  /** Gathers and posts; returns a one-line outcome. Throws when every post failed. */
  post(kind: ReportKind): Promise<string>;
}

/** Creates the reporter. */
export function createReporter(deps: ReporterDeps): Reporter {
  const gather = async (kind: ReportKind, periodEnd = deps.clock.now()) => {
    const periodStart = periodEnd - PERIOD_MS[kind];
    // The period includes its end (what happened at the very moment of the report counts);
    // counters have hourly granularity.
    const until = periodEnd + 1;
    deps.counters.flush();
    const counts = deps.counters.sum(periodStart, until);
    const commands = counts[COUNTER_COMMANDS] ?? 0;
    const commandErrors = counts[COUNTER_COMMANDS_FAILED] ?? 0;
    const errorsByCategory = Object.fromEntries(
      ERROR_CATEGORIES.map((c) => [c, counts[`errors.${c}`] ?? 0]),
    ) as Record<ErrorCategory, number>;
    let backupsMade = 0;
    try {
      backupsMade = await deps.backupsMade(periodStart, until);
    } catch (error) {
      deps.logger.warn("[Report] Cannot count the backups: {error}", { error });
    }
    return {
      kind,
      periodStart,
      periodEnd,
      timeZone: deps.timeZone,
      games: deps.reports.gameFigures(periodStart, until),
      commands,
      commandErrors,
      errorRatePercent: commands === 0 ? 0 : (commandErrors / commands) * 100,
      errorsByCategory,
      uptimeSeconds: deps.uptimeSeconds(),
      backupsMade,
      ...deps.healthFigures(),
    };
  };
  return {
    gather,
    async post(kind) {
      if (!deps.enabled()) return "not posted: the reports feature is switched off";
      const figures = await gather(kind);
      const body = renderReport(figures);
      const channels = [...new Set(deps.channels())];
      if (channels.length === 0) {
        deps.logger.warn(
          "[Report] No stats channel is set (STATS_CHANNEL_ID or /admin settings stats_channel): {title}",
          { title: body.content },
        );
        return "not posted: no stats channel is set";
      }
      const failed: string[] = [];
      for (const channelId of channels) {
        try {
          await deps.post(channelId, body);
        } catch (error) {
          failed.push(channelId);
          deps.logger.error("[Report] Cannot post the {kind} report to {channelId}: {error}", {
            kind,
            channelId,
            error,
          });
        }
      }
      if (failed.length === channels.length) {
        throw new Error(`Cannot post the ${kind} report to ${failed.join(", ")}`);
      }
      return `posted to ${
        channels.length - failed.length
      } channel(s): ${figures.games.started} games, ${figures.commands} commands`;
    },
  };
}
