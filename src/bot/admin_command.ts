/**
 * `/admin …`: health, errors, backup, vacuum, jobs, feature list|enable|disable, maintenance
 * on|off, audit, settings. For members with Manage Server (0x20) or Administrator (0x8) in
 * `member.permissions`, and for ADMIN_USER_IDS. Every answer is ephemeral; a refused attempt
 * is audited. The actions themselves are shared with the admin API (services/admin_actions).
 */
import type { ErrorCategory, ErrorTracker } from "../ops/error_tracker.ts";
import { ERROR_CATEGORIES } from "../ops/error_tracker.ts";
import type { OpsStatus } from "../ops/status.ts";
import type { JobStatus } from "../scheduler/scheduler.ts";
import type { AdminActions, GuildSettingChanges } from "../services/admin_actions.ts";
import type { Actor, AuditLog } from "../services/audit.ts";
import { type FeatureFlags, FEATURES, isFeatureName } from "../services/features.ts";
import type { GuildSettingsRepo } from "../store/guild_settings_repo.ts";
import type { Logger } from "../log.ts";
import type { CommandDefinition } from "./commands.ts";
import type { InteractionContext } from "./context.ts";
import type { InteractionHandler } from "./router.ts";
import type { RawInteraction, RawOption } from "./types.ts";
import {
  renderAudit,
  renderErrors,
  renderFeatures,
  renderHealth,
  renderJobs,
  renderSettings,
} from "./admin_views.ts";

/** Manage Server and Administrator permission bits. */
const MANAGE_GUILD = 0x20n;
const ADMINISTRATOR = 0x8n;

const featureChoices = FEATURES.map((f) => ({ name: f, value: f }));
const featureOptions = [
  {
    type: 3,
    name: "name",
    description: "Which feature",
    required: true,
    choices: featureChoices,
  },
  {
    type: 3,
    name: "reason",
    description: "Why (shown to players and in the audit log)",
    required: false,
    max_length: 200,
  },
];

/** The `/admin` command definition (Discord format). */
export const ADMIN_COMMAND: CommandDefinition = {
  name: "admin",
  description: "Run Blitz: health, errors, backups, jobs, features, maintenance, settings",
  type: 1,
  dm_permission: false,
  options: [
    { type: 1, name: "health", description: "Status, uptime, errors, database, memory, jobs" },
    {
      type: 1,
      name: "errors",
      description: "Errors by category and the most recent ones",
      options: [{
        type: 3,
        name: "category",
        description: "Only this category",
        required: false,
        choices: ERROR_CATEGORIES.map((c) => ({ name: c, value: c })),
      }],
    },
    {
      type: 1,
      name: "backup",
      description: "Make a verified backup now",
      options: [{
        type: 3,
        name: "label",
        description: "A label for the file name",
        required: false,
        max_length: 40,
      }],
    },
    { type: 1, name: "vacuum", description: "VACUUM and ANALYZE the database now" },
    { type: 1, name: "jobs", description: "Scheduled jobs: last run, next run, failures" },
    {
      type: 2,
      name: "feature",
      description: "Switch game features on and off",
      options: [
        { type: 1, name: "list", description: "Every feature and whether it is on" },
        { type: 1, name: "enable", description: "Switch a feature on", options: featureOptions },
        { type: 1, name: "disable", description: "Switch a feature off", options: featureOptions },
      ],
    },
    {
      type: 2,
      name: "maintenance",
      description: "Maintenance mode: game commands answer with a message",
      options: [
        {
          type: 1,
          name: "on",
          description: "Turn maintenance mode on",
          options: [{
            type: 3,
            name: "message",
            description: "What players see",
            required: false,
            max_length: 300,
          }],
        },
        { type: 1, name: "off", description: "Turn maintenance mode off" },
      ],
    },
    {
      type: 1,
      name: "audit",
      description: "Recent admin and automatic actions",
      options: [{
        type: 4,
        name: "limit",
        description: "How many (default 15)",
        required: false,
        min_value: 1,
        max_value: 50,
      }],
    },
    {
      type: 1,
      name: "settings",
      description: "This server's settings (no options: show them)",
      options: [
        {
          type: 7,
          name: "admin_channel",
          description: "Where alerts go",
          required: false,
          channel_types: [0],
        },
        {
          type: 7,
          name: "stats_channel",
          description: "Where reports go",
          required: false,
          channel_types: [0],
        },
        {
          type: 4,
          name: "shot_clock",
          description: "Seconds per possession",
          required: false,
          min_value: 5,
          max_value: 300,
        },
        {
          type: 4,
          name: "possessions",
          description: "Possessions per side in new games",
          required: false,
          min_value: 1,
          max_value: 50,
        },
        {
          type: 3,
          name: "reset",
          description: "Back to the default",
          required: false,
          choices: ["admin_channel", "stats_channel", "shot_clock", "possessions", "all"].map(
            (v) => ({ name: v, value: v }),
          ),
        },
      ],
    },
  ],
};

/** What `/admin` needs. */
export interface AdminCommandDeps {
  adminUserIds: readonly string[];
  actions: AdminActions;
  status: () => OpsStatus;
  errors: ErrorTracker;
  jobs: () => JobStatus[];
  features: FeatureFlags;
  audit: AuditLog;
  guildSettings: GuildSettingsRepo;
  defaults: { adminChannelId?: string; statsChannelId?: string; shotClockSeconds: number };
  logger: Logger;
}

/** May this interaction's user run `/admin`? */
export function isAdmin(interaction: RawInteraction, adminUserIds: readonly string[]): boolean {
  const user = interaction.member?.user ?? interaction.user;
  if (user && adminUserIds.includes(user.id)) return true;
  let permissions = 0n;
  try {
    permissions = BigInt(interaction.member?.permissions ?? "0");
  } catch {
    permissions = 0n;
  }
  return (permissions & (MANAGE_GUILD | ADMINISTRATOR)) !== 0n;
}

/** The subcommand group, subcommand and options of an interaction. */
function parse(interaction: RawInteraction): {
  group?: string;
  sub?: string;
  options: RawOption[];
} {
  const first = interaction.data?.options?.[0];
  if (first?.type === 2) {
    const sub = first.options?.[0];
    return { group: first.name, sub: sub?.name, options: sub?.options ?? [] };
  }
  if (first?.type === 1) return { sub: first.name, options: first.options ?? [] };
  return { options: [] };
}

function value(options: RawOption[], name: string): string | number | boolean | undefined {
  return options.find((o) => o.name === name)?.value;
}

/** Creates the `/admin` handler. */
export function createAdminCommand(deps: AdminCommandDeps): InteractionHandler {
  const reply = (ctx: InteractionContext, message: Parameters<InteractionContext["reply"]>[0]) =>
    ctx.reply(message, { ephemeral: true });

  return async (ctx) => {
    const { group, sub, options } = parse(ctx.interaction);
    const action = ["admin", group, sub].filter(Boolean).join(" ");
    const user = ctx.user;
    const actor: Actor = {
      id: user.id,
      name: user.global_name || user.username,
      source: "discord",
      ...(ctx.guildId ? { guildId: ctx.guildId } : {}),
    };
    if (!isAdmin(ctx.interaction, deps.adminUserIds)) {
      deps.actions.refuse(
        actor,
        action,
        "not an admin (needs Manage Server or Administrator, or ADMIN_USER_IDS)",
      );
      await reply(ctx, {
        content:
          "⛔ /admin is for server managers: you need the Manage Server or Administrator permission.",
      });
      return;
    }
    const key = group ? `${group} ${sub}` : sub ?? "";
    switch (key) {
      case "health":
        return await reply(ctx, renderHealth(deps.status()));
      case "errors": {
        const category = value(options, "category") as ErrorCategory | undefined;
        return await reply(
          ctx,
          renderErrors(deps.errors.totals(), deps.errors.recent(10, category), category),
        );
      }
      case "backup": {
        const label = value(options, "label") as string | undefined;
        await ctx.defer({ ephemeral: true });
        try {
          const result = await deps.actions.backup(actor, label);
          await ctx.editOriginal({
            content: `✅ Backup \`${result.file}\` written and verified: ${
              (result.sizeBytes / 1024).toFixed(1)
            } KB in ${result.durationMs} ms.`,
          });
        } catch (error) {
          deps.logger.error("/admin backup failed: {error}", { error });
          await ctx.editOriginal({
            content: `❌ Backup failed: ${(error as Error)?.message ?? String(error)}`,
          });
        }
        return;
      }
      case "vacuum": {
        await ctx.defer({ ephemeral: true });
        try {
          const result = deps.actions.vacuum(actor);
          await ctx.editOriginal({
            content:
              `✅ VACUUM and ANALYZE done in ${result.durationMs} ms: ${result.reclaimedBytes} bytes reclaimed (${result.bytesBefore} → ${result.bytesAfter}).`,
          });
        } catch (error) {
          await ctx.editOriginal({
            content: `❌ VACUUM failed: ${(error as Error)?.message ?? String(error)}`,
          });
        }
        return;
      }
      case "jobs":
        return await reply(ctx, renderJobs(deps.jobs()));
      case "feature list":
        return await reply(ctx, renderFeatures(deps.features.list()));
      case "feature enable":
      case "feature disable": {
        const name = String(value(options, "name") ?? "");
        if (!isFeatureName(name)) {
          deps.actions.refuse(actor, action, `unknown feature "${name}"`);
          return await reply(ctx, {
            content: `Unknown feature "${name}". Features: ${FEATURES.join(", ")}.`,
          });
        }
        const enabled = sub === "enable";
        const reason = (value(options, "reason") as string | undefined) ?? "";
        const state = deps.actions.setFeature(name, enabled, actor, reason);
        return await reply(ctx, {
          content: `${state.enabled ? "🟢" : "🔴"} **${state.name}** is now ${
            state.enabled ? "on" : "off"
          }${reason ? ` (${reason})` : ""}.`,
        });
      }
      case "maintenance on":
      case "maintenance off": {
        const on = sub === "on";
        const state = deps.actions.setMaintenance(
          on,
          actor,
          value(options, "message") as string | undefined,
        );
        return await reply(ctx, {
          content: on
            ? `🛠️ Maintenance mode is on. Players see: ${state.message}`
            : "✅ Maintenance mode is off: game commands work again.",
        });
      }
      case "audit": {
        const limit = Number(value(options, "limit") ?? 15);
        return await reply(ctx, renderAudit(deps.audit.list({ limit })));
      }
      case "settings":
        return await settings(ctx, actor, options);
      default:
        return await reply(ctx, { content: `Unknown /admin subcommand "${key}".` });
    }
  };

  async function settings(ctx: InteractionContext, actor: Actor, options: RawOption[]) {
    if (!ctx.guildId) {
      await reply(ctx, { content: "Settings belong to a server: use this in one." });
      return;
    }
    const changes: GuildSettingChanges = {};
    const adminChannel = value(options, "admin_channel");
    const statsChannel = value(options, "stats_channel");
    const shotClock = value(options, "shot_clock");
    const possessions = value(options, "possessions");
    if (adminChannel !== undefined) changes.admin_channel_id = String(adminChannel);
    if (statsChannel !== undefined) changes.stats_channel_id = String(statsChannel);
    if (shotClock !== undefined) changes.shot_clock_seconds = String(shotClock);
    if (possessions !== undefined) changes.possessions = String(possessions);
    const reset = value(options, "reset") as string | undefined;
    const resetKeys: Record<string, (keyof GuildSettingChanges)[]> = {
      admin_channel: ["admin_channel_id"],
      stats_channel: ["stats_channel_id"],
      shot_clock: ["shot_clock_seconds"],
      possessions: ["possessions"],
      all: ["admin_channel_id", "stats_channel_id", "shot_clock_seconds", "possessions"],
    };
    for (const k of reset ? resetKeys[reset] ?? [] : []) changes[k] = null;
    const saved = deps.actions.updateGuildSettings(ctx.guildId, changes, actor);
    await reply(ctx, renderSettings(saved, deps.defaults, Object.keys(changes)));
  }
}
