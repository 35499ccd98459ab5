/** The `/admin` answers as Discord messages. Pure renderers over the ops data. */
import { formatDuration } from "../ops/alert_rules.ts";
import { ERROR_CATEGORIES, type ErrorCategory, type TrackedError } from "../ops/error_tracker.ts";
import type { OpsStatus } from "../ops/status.ts";
import type { JobStatus } from "../scheduler/scheduler.ts";
import type { AuditEntry } from "../services/audit.ts";
import type { FeatureState } from "../services/features.ts";
import type { GuildSettingKey } from "../store/guild_settings_repo.ts";
import type { OutgoingMessage } from "./types.ts";

const STATUS_ICON = { ok: "✅", info: "ℹ️", warning: "🟠", critical: "🔴" } as const;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const when = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : `<t:${Math.floor(ms / 1000)}:R>`;

/** `/admin health`: the groups the operations guides' health command shows. */
export function renderHealth(status: OpsStatus): OutgoingMessage {
  const s = status.sample;
  const tripped = status.rules.filter((r) => r.severity);
  const jobs = status.jobs.map((j) =>
    `${j.running ? "⏳" : j.consecutiveFailures > 0 ? "❌" : "✅"} **${j.name}** — last ${
      j.lastRun ? `${j.lastRun.outcome} ${when(j.lastRun.started_at)}` : "never"
    }, next ${when(j.nextRunAt)}`
  ).join("\n");
  const errors = ERROR_CATEGORIES.map((c) => `${c} ${status.errors.totals[c]}`).join(" · ");
  const off = status.features.filter((f) => !f.enabled).map((f) => f.name);
  const records = status.games.records;
  return {
    embeds: [{
      title: `${STATUS_ICON[status.health]} Blitz health: ${status.health}${
        status.status === "ok" ? "" : " (not ready)"
      }`,
      color: status.health === "ok" ? 0x16a34a : status.health === "critical" ? 0xdc2626 : 0xf59e0b,
      description: [
        `Version ${status.version}, up ${formatDuration(status.uptimeSeconds)}${
          status.safeMode ? " — **safe mode**" : ""
        }${status.maintenance.enabled ? " — **maintenance mode**" : ""}`,
        tripped.length
          ? `Tripped: ${tripped.map((r) => `${r.title} ${r.severity} (${r.display})`).join("; ")}`
          : "Every alert rule is within limits.",
      ].join("\n"),
      fields: [
        {
          name: "Discord",
          value: s.gateway.connected
            ? `connected, ${s.gateway.latencyMs ?? "?"} ms`
            : `down ${formatDuration(s.gateway.downSeconds)}`,
          inline: true,
        },
        {
          name: "Commands (10 min)",
          value: `${s.commands.count}, ${s.commands.errorRatePercent.toFixed(1)} % failed, p95 ${
            s.commands.p95Ms ?? "—"
          } ms`,
          inline: true,
        },
        {
          name: "Errors",
          value: `${status.errors.last10m} in 10 min\n${errors}`,
          inline: false,
        },
        {
          name: "Database",
          value: `${mb(s.database.sizeBytes)} + WAL ${mb(s.database.walBytes)}${
            records
              ? `\n${records.games} games (${records.openGames} open, ${records.archivedGames} archived), ${records.players} players`
              : ""
          }`,
          inline: true,
        },
        {
          name: "Memory and CPU",
          value: `RSS ${mb(s.memory.rssBytes)}, heap ${
            mb(s.memory.heapUsedBytes)
          }\nCPU ${s.cpu.percent} %, loop delay ${s.eventLoop.maxDelayMs} ms`,
          inline: true,
        },
        {
          name: "Disk",
          value: s.disk ? `${s.disk.usedPercent} % used, ${mb(s.disk.freeBytes)} free` : "unknown",
          inline: true,
        },
        {
          name: "Backups",
          value: status.backups.newestVerified
            ? `newest verified ${formatDuration(status.backups.newestVerified.ageSeconds)} ago`
            : "no verified backup yet",
          inline: true,
        },
        { name: "Games", value: `${status.games.active} active`, inline: true },
        { name: "Features off", value: off.length ? off.join(", ") : "none", inline: true },
        { name: "Jobs", value: jobs || "none", inline: false },
      ],
    }],
  };
}

/** `/admin errors`: totals by category and the recent ones. */
export function renderErrors(
  totals: Record<ErrorCategory, number>,
  recent: readonly TrackedError[],
  category?: ErrorCategory,
): OutgoingMessage {
  const lines = recent.map((e) =>
    `${when(e.at)} **${e.category}**${e.command ? ` \`${e.command}\`` : ""}: ${e.message}`
  );
  return {
    embeds: [{
      title: category ? `Errors: ${category}` : "Errors since start",
      color: 0xdc2626,
      description: ERROR_CATEGORIES.map((c) => `${c}: **${totals[c]}**`).join(" · "),
      fields: [{
        name: "Most recent",
        value: (lines.join("\n") || "No errors. 🎉").slice(0, 1024),
      }],
    }],
  };
}

/** `/admin jobs`: each job's schedule, state, last and next run. */
export function renderJobs(jobs: readonly JobStatus[]): OutgoingMessage {
  return {
    embeds: [{
      title: "Scheduled jobs",
      color: 0x3b82f6,
      fields: jobs.map((j) => ({
        name: `${j.running ? "⏳" : j.consecutiveFailures > 0 ? "❌" : "✅"} ${j.name}`,
        value: [
          `\`${j.schedule}\` — ${j.description}`,
          `Last: ${
            j.lastRun
              ? `${j.lastRun.outcome} ${when(j.lastRun.started_at)} (${j.lastRun.trigger})${
                j.lastRun.detail ? `: ${j.lastRun.detail.slice(0, 150)}` : ""
              }`
              : "never"
          }`,
          `Next: ${when(j.nextRunAt)}${j.nextRunKind === "retry" ? " (retry)" : ""}${
            j.consecutiveFailures ? ` — ${j.consecutiveFailures} failure(s) in a row` : ""
          }`,
        ].join("\n").slice(0, 1024),
      })),
    }],
  };
}

/** `/admin feature list`. */
export function renderFeatures(features: readonly FeatureState[]): OutgoingMessage {
  return {
    embeds: [{
      title: "Features",
      color: 0x8b5cf6,
      description: features.map((f) =>
        `${f.enabled ? "🟢" : "🔴"} **${f.name}** — ${f.description}${
          f.enabled ? "" : f.safeMode ? " *(safe mode)*" : f.reason ? ` *(${f.reason})*` : ""
        }`
      ).join("\n"),
    }],
  };
}

/** `/admin audit`. */
export function renderAudit(entries: readonly AuditEntry[]): OutgoingMessage {
  const icon = { ok: "✅", refused: "⛔", failed: "❌" } as const;
  const lines = entries.map((e) =>
    `${icon[e.outcome]} ${when(e.at)} **${e.actor.name}** (${e.actor.source}) ${e.action}${
      e.target ? ` \`${e.target}\`` : ""
    }${e.detail ? ` — ${e.detail.slice(0, 120)}` : ""}`
  );
  let text = "";
  for (const line of lines) {
    if (text.length + line.length + 1 > 4000) break;
    text += `${line}\n`;
  }
  return {
    embeds: [{ title: "Audit log", color: 0x64748b, description: text || "Nothing yet." }],
  };
}

/** `/admin settings`: this guild's settings and what applies where unset. */
export function renderSettings(
  settings: Partial<Record<GuildSettingKey, string>>,
  defaults: { adminChannelId?: string; statsChannelId?: string; shotClockSeconds: number },
  changed: string[],
): OutgoingMessage {
  const channel = (id?: string) => (id ? `<#${id}>` : "not set");
  return {
    embeds: [{
      title: changed.length ? "Settings saved" : "Settings of this server",
      color: 0x0ea5e9,
      ...(changed.length ? { description: `Changed: ${changed.join(", ")}` } : {}),
      fields: [
        {
          name: "Admin channel",
          value: settings.admin_channel_id
            ? channel(settings.admin_channel_id)
            : `${channel(defaults.adminChannelId)} (ADMIN_CHANNEL_ID)`,
          inline: true,
        },
        {
          name: "Stats channel",
          value: settings.stats_channel_id
            ? channel(settings.stats_channel_id)
            : `${channel(defaults.statsChannelId)} (STATS_CHANNEL_ID)`,
          inline: true,
        },
        {
          name: "Shot clock",
          value: settings.shot_clock_seconds
            ? `${settings.shot_clock_seconds} s`
            : `${defaults.shotClockSeconds} s (default)`,
          inline: true,
        },
        {
          name: "Possessions",
          value: settings.possessions ? settings.possessions : "8 (default)",
          inline: true,
        },
      ],
    }],
  };
}
