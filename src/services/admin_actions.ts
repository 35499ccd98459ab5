/**
 * The admin actions, shared by Discord `/admin` and the admin API so both behave the same:
 * each one does its work, is audited with who asked and how it ended, and is counted.
 */
import type { VacuumResult } from "../store/maintenance.ts";
import {
  GUILD_SETTING_KEYS,
  type GuildSettingKey,
  type GuildSettingsRepo,
} from "../store/guild_settings_repo.ts";
import type { Actor, AuditLog } from "./audit.ts";
import type { FeatureFlags, FeatureName, FeatureState } from "./features.ts";
import type { MaintenanceMode, MaintenanceState } from "./maintenance_mode.ts";

/** A backup made on request, as the admin answer shows it. */
export interface AdminBackupResult {
  file: string;
  sizeBytes: number;
  durationMs: number;
  verified: boolean;
}

/** A job run started on request. */
export interface AdminJobResult {
  job: string;
  outcome: "success" | "failure";
  detail: string;
  durationMs: number;
}

/** What the actions need. */
export interface AdminActionDeps {
  audit: AuditLog;
  features: FeatureFlags;
  maintenance: MaintenanceMode;
  guildSettings: GuildSettingsRepo;
  vacuum: () => VacuumResult;
  backup: (label?: string) => Promise<AdminBackupResult>;
  runJob: (name: string) => Promise<AdminJobResult>;
  /** Counts an action (metrics). */
  count?: (action: string, outcome: string) => void;
}

/** Changes to a guild's settings: a value sets it, null removes it. */
export type GuildSettingChanges = Partial<Record<GuildSettingKey, string | null>>;

/** The actions. */
export interface AdminActions {
  setFeature(name: FeatureName, enabled: boolean, actor: Actor, reason?: string): FeatureState;
  setMaintenance(enabled: boolean, actor: Actor, message?: string): MaintenanceState;
  vacuum(actor: Actor): VacuumResult;
  backup(actor: Actor, label?: string): Promise<AdminBackupResult>;
  runJob(name: string, actor: Actor): Promise<AdminJobResult>;
  updateGuildSettings(
    guildId: string,
    changes: GuildSettingChanges,
    actor: Actor,
  ): Partial<Record<GuildSettingKey, string>>;
  /** Audits a refused attempt (not an admin, bad input). */
  refuse(actor: Actor, action: string, why: string): void;
}

/** Creates the actions. */
export function createAdminActions(deps: AdminActionDeps): AdminActions {
  const count = (action: string, outcome: string) => deps.count?.(action, outcome);
  const failed = (actor: Actor, action: string, target: string, error: unknown) => {
    deps.audit.record({
      actor,
      action,
      target,
      detail: (error as Error)?.message ?? String(error),
      outcome: "failed",
    });
    count(action, "failed");
  };
  return {
    setFeature(name, enabled, actor, reason) {
      const state = deps.features.set(name, enabled, actor, reason);
      count(enabled ? "feature enable" : "feature disable", "ok");
      return state;
    },
    setMaintenance(enabled, actor, message) {
      const state = deps.maintenance.set(enabled, actor, message);
      count(enabled ? "maintenance on" : "maintenance off", "ok");
      return state;
    },
    vacuum(actor) {
      try {
        const result = deps.vacuum();
        deps.audit.record({
          actor,
          action: "vacuum",
          detail: `reclaimed ${result.reclaimedBytes} bytes in ${result.durationMs} ms`,
          outcome: "ok",
        });
        count("vacuum", "ok");
        return result;
      } catch (error) {
        failed(actor, "vacuum", "", error);
        throw error;
      }
    },
    async backup(actor, label) {
      try {
        const result = await deps.backup(label);
        deps.audit.record({
          actor,
          action: "backup",
          target: result.file,
          detail: `${result.sizeBytes} bytes, ${result.durationMs} ms, verified`,
          outcome: "ok",
        });
        count("backup", "ok");
        return result;
      } catch (error) {
        failed(actor, "backup", label ?? "", error);
        throw error;
      }
    },
    async runJob(name, actor) {
      try {
        const result = await deps.runJob(name);
        deps.audit.record({
          actor,
          action: "job run",
          target: name,
          detail: result.detail,
          outcome: result.outcome === "success" ? "ok" : "failed",
        });
        count("job run", result.outcome === "success" ? "ok" : "failed");
        return result;
      } catch (error) {
        failed(actor, "job run", name, error);
        throw error;
      }
    },
    updateGuildSettings(guildId, changes, actor) {
      const done: string[] = [];
      for (const key of GUILD_SETTING_KEYS) {
        const value = changes[key];
        if (value === undefined) continue;
        if (value === null) deps.guildSettings.remove(guildId, key);
        else deps.guildSettings.set(guildId, key, value);
        done.push(`${key}=${value ?? "(default)"}`);
      }
      if (done.length > 0) {
        deps.audit.record({
          actor,
          action: "settings",
          target: guildId,
          detail: done.join(", "),
          outcome: "ok",
        });
        count("settings", "ok");
      }
      return deps.guildSettings.all(guildId);
    },
    refuse(actor, action, why) {
      deps.audit.record({ actor, action, detail: why, outcome: "refused" });
      count(action, "refused");
    },
  };
}
