/**
 * Gives memory back after V8 lets the heap grow.
 *
 * V8 sizes its heap for throughput: after a burst (5,000 games opened in 12 s, say) it keeps the
 * grown heap, garbage included, until allocation pressure makes it collect again, and in a
 * process that goes quiet that may be never. Measured at rest after such a burst: 63–68 MB of
 * heap, of which 38–40 MB were live; one full collection returned the rest (RSS −23 MiB). Under
 * steady load the same slack makes RSS swing between 45 and 108 MB of heap.
 *
 * So every `checkEveryMs` (at most one collection per `minGapMs`) the trimmer compares the heap V8 holds with what was live after the
 * last collection it ran, and when the difference passes `slackBytes` and the process is quiet,
 * it runs one full collection. Only when quiet: a full collection of a 40–60 MB heap pauses the
 * process for up to ~50 ms, and under 500 actions/s one such pause in 10 s raised the p99 from
 * 12 to 50 ms (measured), while under load V8 collects by itself anyway.
 *
 * The C heap under V8 keeps what a burst touched too (docs/DECISIONS.md D30), and a full collection
 * frees the off-heap buffers of what it collects into it. So after each collection, and once each
 * time the process goes quiet after being busy (and once after start), the trimmer also calls glibc's
 * `malloc_trim` where it can (`native_trim.ts`): 0.1 ms on a quiet bot, and 9.4 MiB of RSS back at
 * rest after 5,000 games were opened (D32).
 */
import v8 from "node:v8";
import vm from "node:vm";
import { findMallocTrim } from "./native_trim.ts";

/** What the trimmer reads of the heap (`Deno.memoryUsage()` fields). */
export interface HeapReading {
  heapTotal: number;
  heapUsed: number;
}

/** Options for {@link startHeapTrimmer}. */
export interface HeapTrimOptions {
  /** How often to look (default 5 s). */
  checkEveryMs?: number;
  /** At least this long between two collections (default 15 s). */
  minGapMs?: number;
  /** Heap beyond the live size at the last collection that is worth a collection (default 24 MiB). */
  slackBytes?: number;
  /** True while the process is too busy for a pause (asked once per check; default never). */
  isBusy?: () => boolean;
  /** Reads the heap (default `Deno.memoryUsage()`). */
  read?: () => HeapReading;
  /** Runs a full collection (default V8's `gc`, exposed for this). */
  collect?: () => void;
  /** Told after each collection: the heap before and after, and the time it took. */
  onTrim?: (before: HeapReading, after: HeapReading, ms: number) => void;
  /**
   * Hands the C heap's free pages back to the OS; true if it returned any (default glibc's
   * `malloc_trim` when FFI allows it, else nothing). `null`: never.
   */
  trimNative?: (() => boolean) | null;
  /** Told after each native trim: whether it returned memory, and the time it took. */
  onNativeTrim?: (released: boolean, ms: number) => void;
}

/** The trimmer's pure rule: is the heap V8 holds far enough above the live size? */
export function shouldTrimHeap(
  reading: HeapReading,
  liveAfterLastTrim: number,
  slackBytes: number,
): boolean {
  return reading.heapTotal - liveAfterLastTrim > slackBytes;
}

/** Finds a function that runs a full garbage collection, or undefined if V8 will not give one. */
export function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  try {
    // Exposes gc() to contexts created from now on; the calling context stays as it is.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    return typeof gc === "function" ? gc : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the trimmer; returns a function that stops it. Does nothing without `gc` and `malloc_trim`. */
export function startHeapTrimmer(options: HeapTrimOptions = {}): () => void {
  const collect = options.collect ?? findGc();
  const trimNative = options.trimNative === null
    ? undefined
    : (options.trimNative ?? findMallocTrim());
  if (!collect && !trimNative) return () => {};
  const read = options.read ?? (() => Deno.memoryUsage());
  const slack = options.slackBytes ?? 24 * 1024 * 1024;
  const minGap = options.minGapMs ?? 15_000;
  let live = read().heapUsed;
  let lastTrim = -Infinity;
  /** Busy since the last native trim (and true at first: starting up is a burst of its own). */
  let busySinceNativeTrim = true;
  const nativeTrim = () => {
    if (!trimNative) return;
    const started = performance.now();
    const released = trimNative();
    busySinceNativeTrim = false;
    options.onNativeTrim?.(released, performance.now() - started);
  };
  const check = () => {
    const before = read();
    const busy = options.isBusy?.() ?? false;
    if (busy) busySinceNativeTrim = true;
    const tooSoon = performance.now() - lastTrim < minGap;
    if (busy || tooSoon || !collect || !shouldTrimHeap(before, live, slack)) {
      live = Math.min(live, before.heapUsed); // V8 collected by itself: follow it down
      if (!busy && busySinceNativeTrim) nativeTrim();
      return;
    }
    const started = performance.now();
    collect();
    lastTrim = performance.now();
    const after = read();
    live = after.heapUsed;
    options.onTrim?.(before, after, lastTrim - started);
    nativeTrim();
  };
  const timer = setInterval(check, options.checkEveryMs ?? 5000);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
