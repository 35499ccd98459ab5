/**
 * Hourly counters that survive restarts (commands, command errors, errors by category):
 * increments are buffered in memory and written in one transaction by `flush()` — on a timer,
 * before a report reads them, and on shutdown.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { type CountersRepo, hourOf } from "../store/counters_repo.ts";

/** The persisted counters. */
export interface PersistedCounters {
  inc(name: string, by?: number): void;
  /** Writes the buffered increments. Keeps them for the next try when the store fails. */
  flush(): void;
  /** Sums over [fromMs, toMs), buffered increments included. */
  sum(fromMs: number, toMs: number): Record<string, number>;
}

/** Creates the counters over the repository. */
export function createPersistedCounters(
  deps: { repo: CountersRepo; clock: Clock; logger: Logger },
): PersistedCounters {
  let buffer = new Map<string, { hour: number; name: string; delta: number }>();
  return {
    inc(name, by = 1) {
      const hour = hourOf(deps.clock.now());
      const key = `${hour}\u0000${name}`;
      const entry = buffer.get(key);
      if (entry) entry.delta += by;
      else buffer.set(key, { hour, name, delta: by });
    },
    flush() {
      if (buffer.size === 0) return;
      const pending = buffer;
      buffer = new Map();
      try {
        deps.repo.add([...pending.values()]);
      } catch (error) {
        deps.logger.error("Cannot save the counters (kept for the next try): {error}", { error });
        for (const [key, entry] of pending) {
          const current = buffer.get(key);
          if (current) current.delta += entry.delta;
          else buffer.set(key, entry);
        }
      }
    },
    sum(fromMs, toMs) {
      const totals = deps.repo.sum(fromMs, toMs);
      const fromHour = hourOf(fromMs);
      const toHour = Math.ceil(toMs / 3_600_000);
      for (const entry of buffer.values()) {
        if (entry.hour >= fromHour && entry.hour < toHour) {
          totals[entry.name] = (totals[entry.name] ?? 0) + entry.delta;
        }
      }
      return totals;
    },
  };
}
