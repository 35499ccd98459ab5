/**
 * Command latency and outcomes over a sliding window (default 10 minutes): count, errors,
 * error rate and the p50/p95/p99 latencies the health monitor and alert rules read.
 */

/** What the window shows. */
export interface CommandWindowStats {
  windowSeconds: number;
  count: number;
  errors: number;
  /** errors / count × 100; 0 when there were no commands. */
  errorRatePercent: number;
  /** Latency percentiles in ms; null when there were no commands. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** The sliding window. */
export interface CommandWindow {
  /** Records a handled interaction that finished at `atMs` after `durationMs`. */
  record(atMs: number, durationMs: number, failed: boolean): void;
  stats(nowMs: number): CommandWindowStats;
}

/** Nearest-rank percentile of ascending `sorted` values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Creates a window of `windowMs` (default 10 minutes) holding at most `capacity` entries. */
export function createCommandWindow(
  options: { windowMs?: number; capacity?: number } = {},
): CommandWindow {
  const windowMs = options.windowMs ?? 10 * 60_000;
  const capacity = options.capacity ?? 100_000;
  let entries: { at: number; ms: number; failed: boolean }[] = [];
  const prune = (now: number) => {
    const cutoff = now - windowMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.at < cutoff) drop++;
    if (entries.length - drop > capacity) drop = entries.length - capacity;
    if (drop > 0) entries = entries.slice(drop);
  };
  return {
    record(atMs, durationMs, failed) {
      entries.push({ at: atMs, ms: Math.max(0, durationMs), failed });
      if (entries.length > capacity + 1000) prune(atMs);
    },
    stats(nowMs) {
      prune(nowMs);
      const sorted = entries.map((e) => e.ms).sort((a, b) => a - b);
      const errors = entries.filter((e) => e.failed).length;
      return {
        windowSeconds: Math.round(windowMs / 1000),
        count: entries.length,
        errors,
        errorRatePercent: entries.length === 0 ? 0 : (errors / entries.length) * 100,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        p99Ms: percentile(sorted, 99),
      };
    },
  };
}
