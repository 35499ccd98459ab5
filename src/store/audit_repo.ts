/** The audit log in SQL: every admin action and automatic action, newest first when read. */
import type { Store } from "./store.ts";

/** Where an action came from. */
export type AuditSource = "discord" | "api" | "system" | "cli";
/** How it ended: done, refused (not allowed), or failed. */
export type AuditOutcome = "ok" | "refused" | "failed";

/** One audit entry as stored. `at` is ms since the epoch. */
export interface AuditRow {
  id: number;
  at: number;
  actor_id: string;
  actor_name: string;
  source: AuditSource;
  guild_id: string | null;
  action: string;
  target: string;
  detail: string;
  outcome: AuditOutcome;
}

/** The audit repository. */
export interface AuditRepo {
  insert(entry: Omit<AuditRow, "id">): AuditRow;
  /** Newest first, `limit` entries, older than `beforeId` when given. */
  list(options: { limit: number; beforeId?: number; action?: string }): AuditRow[];
}

/** Creates the repository over a store. */
export function createAuditRepo(store: Store): AuditRepo {
  return {
    insert(entry) {
      return store.prepare(
        `INSERT INTO audit_log (at, actor_id, actor_name, source, guild_id, action, target, detail, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        entry.at,
        entry.actor_id,
        entry.actor_name,
        entry.source,
        entry.guild_id,
        entry.action,
        entry.target,
        entry.detail.slice(0, 1000),
        entry.outcome,
      ) as unknown as AuditRow;
    },
    list({ limit, beforeId, action }) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (beforeId !== undefined) {
        where.push("id < ?");
        params.push(beforeId);
      }
      if (action !== undefined) {
        where.push("action = ?");
        params.push(action);
      }
      const sql = `SELECT * FROM audit_log ${
        where.length ? `WHERE ${where.join(" AND ")}` : ""
      } ORDER BY id DESC LIMIT ?`;
      return store.prepare(sql).all(...params, limit) as unknown as AuditRow[];
    },
  };
}
