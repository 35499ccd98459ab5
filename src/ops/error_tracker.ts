/**
 * The error tracker: every error Blitz handles is counted by category (discord, database,
 * command, job, http), the recent ones are kept (bounded) with time, category, message and
 * the command involved, and the counts are persisted per hour for the reports.
 */
import type { Clock } from "../clock.ts";
import type { PersistedCounters } from "./counters.ts";
import { isDiscordFailure } from "../bot/errors.ts";

/** Where an error happened. */
export type ErrorCategory = "discord" | "database" | "command" | "job" | "http";

/** Every category, in display order. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  "discord",
  "database",
  "command",
  "job",
  "http",
];

/** One error as kept in memory. */
export interface TrackedError {
  /** ms since the epoch. */
  at: number;
  category: ErrorCategory;
  /** The error's name and message, one line, at most 300 characters. */
  message: string;
  /** The command or job involved ("blitz play", "job:backup", "GET /api/status"). */
  command?: string;
}

/** The tracker. */
export interface ErrorTracker {
  record(category: ErrorCategory, error: unknown, context?: { command?: string }): TrackedError;
  /** Newest first, at most `limit`, of one category when given. */
  recent(limit?: number, category?: ErrorCategory): TrackedError[];
  /** Errors since this process started, by category. */
  totals(): Record<ErrorCategory, number>;
  /** Errors at or after `sinceMs`, by category and in total (from the kept ones). */
  since(sinceMs: number): { total: number; byCategory: Record<ErrorCategory, number> };
  /** Called for every recorded error (metrics, events). */
  onRecord(listener: (error: TrackedError) => void): void;
}

/** Options for {@link createErrorTracker}. */
export interface ErrorTrackerOptions {
  clock: Clock;
  /** Where counts are persisted (as `errors.<category>`). */
  counters?: PersistedCounters;
  /** How many recent errors are kept (default 500). */
  capacity?: number;
}

function zero(): Record<ErrorCategory, number> {
  return { discord: 0, database: 0, command: 0, job: 0, http: 0 };
}

/** One line describing an error, without a stack. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    text = error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  } else text = String(error);
  text = text.replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/**
 * The category an error belongs in: SQLite errors are "database" and Discord HTTP errors
 * "discord" wherever they surface; anything else keeps `fallback`.
 */
export function classifyError(error: unknown, fallback: ErrorCategory): ErrorCategory {
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === "string" && e.code.startsWith("ERR_SQLITE")) return "database";
  if (
    e?.name === "CorruptDatabaseError" || e?.name === "NewerSchemaError" ||
    /database is locked|SQLITE_|disk I\/O error/i.test(String((error as Error)?.message ?? ""))
  ) return "database";
  if (isDiscordFailure(error)) return "discord";
  return fallback;
}

/**
 * Does a failed interaction count against its feature (the circuit breaker)? Not when Discord
 * refused or lost the answer (overload, a missed 3-second deadline, a 5xx): switching a game
 * off would not help, and would turn a passing overload into an outage.
 */
export function countsAgainstFeature(error: unknown): boolean {
  return classifyError(error, "command") !== "discord";
}

/** Creates the tracker. */
export function createErrorTracker(options: ErrorTrackerOptions): ErrorTracker {
  const capacity = options.capacity ?? 500;
  const kept: TrackedError[] = [];
  const totals = zero();
  const listeners: ((error: TrackedError) => void)[] = [];
  return {
    record(category, error, context) {
      const tracked: TrackedError = {
        at: options.clock.now(),
        category,
        message: describeError(error),
        ...(context?.command ? { command: context.command } : {}),
      };
      kept.push(tracked);
      if (kept.length > capacity) kept.splice(0, kept.length - capacity);
      totals[category]++;
      options.counters?.inc(`errors.${category}`);
      for (const listener of listeners) {
        try {
          listener(tracked);
        } catch { /* a listener never breaks error tracking */ }
      }
      return tracked;
    },
    recent(limit = 20, category) {
      const out: TrackedError[] = [];
      for (let i = kept.length - 1; i >= 0 && out.length < limit; i--) {
        if (!category || kept[i]!.category === category) out.push(kept[i]!);
      }
      return out;
    },
    totals: () => ({ ...totals }),
    since(sinceMs) {
      const byCategory = zero();
      let total = 0;
      for (let i = kept.length - 1; i >= 0 && kept[i]!.at >= sinceMs; i--) {
        byCategory[kept[i]!.category]++;
        total++;
      }
      return { total, byCategory };
    },
    onRecord: (listener) => void listeners.push(listener),
  };
}
