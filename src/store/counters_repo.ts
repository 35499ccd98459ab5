/**
 * Counters that survive restarts, per hour: commands, command errors, errors by category.
 * The error tracker adds to them in batches; the reports sum them over a period.
 */
import type { Store } from "./store.ts";

/** One hour bucket: floor(ms since the epoch / 3 600 000). */
export const HOUR_MS = 3_600_000;

/** The hour bucket of a time (ms epoch). */
export function hourOf(atMs: number): number {
  return Math.floor(atMs / HOUR_MS);
}

/** The counters repository. */
export interface CountersRepo {
  /** Adds every `(hour, name) → delta` in one transaction. */
  add(deltas: readonly { hour: number; name: string; delta: number }[]): void;
  /** Sums each counter over the hours that start in [fromMs, toMs), keyed by name. */
  sum(fromMs: number, toMs: number): Record<string, number>;
}

/** Creates the repository over a store. */
export function createCountersRepo(store: Store): CountersRepo {
  return {
    add(deltas) {
      if (deltas.length === 0) return;
      store.transaction(() => {
        for (const { hour, name, delta } of deltas) {
          store.prepare(
            `INSERT INTO hourly_counters (hour, name, value) VALUES (?, ?, ?)
             ON CONFLICT (hour, name) DO UPDATE SET value = value + excluded.value`,
          ).run(hour, name, delta);
        }
      });
    },
    sum(fromMs, toMs) {
      const rows = store.prepare(
        "SELECT name, sum(value) AS total FROM hourly_counters WHERE hour >= ? AND hour < ? GROUP BY name",
      ).all(hourOf(fromMs), Math.ceil(toMs / HOUR_MS)) as { name: string; total: number }[];
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.total)]));
    },
  };
}
