/** Persisted feature flags: a row per flag that was ever switched (absent: the default, on). */
import type { Store } from "./store.ts";

/** A stored flag. `changed_at` is ms since the epoch. */
export interface FeatureFlagRow {
  name: string;
  enabled: number;
  reason: string;
  changed_by: string;
  changed_at: number;
}

/** The feature-flags repository. */
export interface FeaturesRepo {
  all(): FeatureFlagRow[];
  set(row: FeatureFlagRow): void;
}

/** Creates the repository over a store. */
export function createFeaturesRepo(store: Store): FeaturesRepo {
  return {
    all: () =>
      store.prepare("SELECT * FROM feature_flags ORDER BY name")
        .all() as unknown as FeatureFlagRow[],
    set(row) {
      store.prepare(
        `INSERT INTO feature_flags (name, enabled, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, reason = excluded.reason,
           changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      ).run(row.name, row.enabled, row.reason, row.changed_by, row.changed_at);
    },
  };
}
