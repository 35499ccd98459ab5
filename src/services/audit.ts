/**
 * The audit log: every admin action (Discord `/admin`, the admin API) and every automatic
 * action (circuit breaker, safe mode, scheduled maintenance) with who, what, when and the
 * outcome. Written to SQLite and to the log; a failed write is logged, never thrown.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { AuditOutcome, AuditRepo, AuditRow, AuditSource } from "../store/audit_repo.ts";

/** Who acted. */
export interface Actor {
  id: string;
  name: string;
  source: AuditSource;
  guildId?: string;
}

/** Blitz itself (breaker, safe mode, schedules). */
export const SYSTEM_ACTOR: Actor = { id: "system", name: "Blitz", source: "system" };

/** An entry as the API and `/admin audit` show it (times in ms epoch). */
export interface AuditEntry {
  id: number;
  at: number;
  actor: { id: string; name: string; source: AuditSource };
  guildId: string | null;
  action: string;
  target: string;
  detail: string;
  outcome: AuditOutcome;
}

/** What to record. */
export interface AuditInput {
  actor: Actor;
  action: string;
  target?: string;
  detail?: string;
  outcome: AuditOutcome;
}

/** The audit log. */
export interface AuditLog {
  record(input: AuditInput): AuditEntry;
  list(options?: { limit?: number; beforeId?: number; action?: string }): AuditEntry[];
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: { id: row.actor_id, name: row.actor_name, source: row.source },
    guildId: row.guild_id,
    action: row.action,
    target: row.target,
    detail: row.detail,
    outcome: row.outcome,
  };
}

/** Creates the audit log. */
export function createAuditLog(deps: {
  repo: AuditRepo;
  clock: Clock;
  logger: Logger;
  onRecord?: (entry: AuditEntry) => void;
}): AuditLog {
  return {
    record(input) {
      const row: Omit<AuditRow, "id"> = {
        at: deps.clock.now(),
        actor_id: input.actor.id,
        actor_name: input.actor.name,
        source: input.actor.source,
        guild_id: input.actor.guildId ?? null,
        action: input.action,
        target: input.target ?? "",
        detail: input.detail ?? "",
        outcome: input.outcome,
      };
      let entry: AuditEntry;
      try {
        entry = toEntry(deps.repo.insert(row));
      } catch (error) {
        deps.logger.error("[Audit] Cannot write the audit entry {action}: {error}", {
          action: input.action,
          error,
        });
        entry = toEntry({ id: -1, ...row });
      }
      const line = "[Audit] {actor} ({source}) {action} {target}: {outcome}{detail}";
      const props = {
        actor: `${input.actor.name} <${input.actor.id}>`,
        source: input.actor.source,
        action: input.action,
        target: input.target ?? "",
        outcome: input.outcome,
        detail: input.detail ? ` — ${input.detail}` : "",
      };
      if (input.outcome === "ok") deps.logger.info(line, props);
      else deps.logger.warn(line, props);
      try {
        deps.onRecord?.(entry);
      } catch { /* listeners never break auditing */ }
      return entry;
    },
    list(options = {}) {
      return deps.repo.list({
        limit: Math.min(500, Math.max(1, options.limit ?? 50)),
        ...(options.beforeId !== undefined ? { beforeId: options.beforeId } : {}),
        ...(options.action !== undefined ? { action: options.action } : {}),
      }).map(toEntry);
    },
  };
}
