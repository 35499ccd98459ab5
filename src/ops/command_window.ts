/**
 * Command latency and outcomes over a sliding window (default 10 minutes): count, errors,
 * error rate and the p50/p95/p99 latencies the health monitor and alert rules read.
 *
 * Fixed memory and cost whatever the traffic: the window is a ring of 10-second slices, each a
 * latency histogram (1 ms bins up to 100 ms, then bins 5 % wide). A percentile is the upper edge
 * of the bin it falls in: exact for whole milliseconds up to 100 ms, at most 5 % high above.
 * (Keeping every sample, as this first did, held 100,000 entries at 300 commands/s and sorted
 * them on every read: the soak's p99 climbed to 460 ms once the window filled.)
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

const LINEAR_MS = 100;
const GROWTH = 1.05;
/** 100 ms × 1.05^300 ≈ 62 hours: far past any interaction. */
const BINS = LINEAR_MS + 1 + 300;
const SLICE_MS = 10_000;

const binOf = (ms: number): number =>
  ms <= LINEAR_MS
    ? Math.ceil(ms)
    : Math.min(BINS - 1, LINEAR_MS + Math.ceil(Math.log(ms / LINEAR_MS) / Math.log(GROWTH)));

const upperEdgeOf = (bin: number): number =>
  bin <= LINEAR_MS ? bin : Math.round(LINEAR_MS * GROWTH ** (bin - LINEAR_MS) * 10) / 10;

interface Slice {
  /** Which 10-second slice of time this holds (`floor(at / SLICE_MS)`); -1: empty. */
  index: number;
  count: number;
  errors: number;
  bins: Uint32Array;
}

/** Creates a window of `windowMs` (default 10 minutes, in 10-second steps). */
export function createCommandWindow(options: { windowMs?: number } = {}): CommandWindow {
  const windowMs = options.windowMs ?? 10 * 60_000;
  const slices: Slice[] = Array.from(
    { length: Math.max(1, Math.ceil(windowMs / SLICE_MS)) + 1 },
    () => ({ index: -1, count: 0, errors: 0, bins: new Uint32Array(BINS) }),
  );
  const sliceFor = (index: number): Slice => {
    const slice = slices[index % slices.length]!;
    if (slice.index !== index) {
      slice.index = index;
      slice.count = 0;
      slice.errors = 0;
      slice.bins.fill(0);
    }
    return slice;
  };
  const merged = new Uint32Array(BINS);
  return {
    record(atMs, durationMs, failed) {
      const slice = sliceFor(Math.floor(atMs / SLICE_MS));
      slice.count++;
      if (failed) slice.errors++;
      slice.bins[binOf(Math.max(0, durationMs))]!++;
    },
    stats(nowMs) {
      const newest = Math.floor(nowMs / SLICE_MS);
      const oldest = newest - (slices.length - 1) + 1; // slices wholly inside the window
      merged.fill(0);
      let count = 0;
      let errors = 0;
      for (const slice of slices) {
        if (slice.index < oldest || slice.index > newest) continue;
        count += slice.count;
        errors += slice.errors;
        for (let b = 0; b < BINS; b++) merged[b]! += slice.bins[b]!;
      }
      const at = (p: number): number | null => {
        if (count === 0) return null;
        const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
        let seen = 0;
        for (let b = 0; b < BINS; b++) {
          seen += merged[b]!;
          if (seen >= rank) return upperEdgeOf(b);
        }
        return upperEdgeOf(BINS - 1);
      };
      return {
        windowSeconds: Math.round(windowMs / 1000),
        count,
        errors,
        errorRatePercent: count === 0 ? 0 : (errors / count) * 100,
        p50Ms: at(50),
        p95Ms: at(95),
        p99Ms: at(99),
      };
    },
  };
}
