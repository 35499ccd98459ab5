/**
 * Deadlines (shot clocks, challenge expiry) for thousands of games with one timer: a
 * min-heap of (time, key), and a single timeout armed for the earliest. Time comes from the
 * injected clock and timers, so tests move time without sleeping.
 */
import type { Clock } from "../clock.ts";

/** The timer functions the queue uses; tests pass fakes. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The real timers (unref'd: a pending deadline never keeps the process alive). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const id = setTimeout(fn, ms) as unknown as number;
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (id) => clearTimeout(id),
};

/** The deadline queue. */
export interface DeadlineQueue {
  /** Sets (or moves) the deadline of `key` to `at` (ms epoch). */
  schedule(key: string, at: number): void;
  cancel(key: string): void;
  /** When `key` is due, or undefined. */
  dueAt(key: string): number | undefined;
  size(): number;
  /** Runs every deadline that is due now (also called by the timer). */
  runDue(): void;
  /** Starts firing (deadlines scheduled before are kept). */
  start(): void;
  stop(): void;
}

/** Creates a queue that calls `onDue(key)` when a deadline passes. Errors in onDue are reported, never thrown. */
export function createDeadlineQueue(options: {
  clock: Clock;
  timers?: Timers;
  onDue: (key: string) => void;
  onError?: (error: unknown, key: string) => void;
}): DeadlineQueue {
  const timers = options.timers ?? systemTimers;
  const due = new Map<string, number>();
  let heap: [number, string][] = [];
  let timer: number | undefined;
  let armedFor: number | undefined;
  let running = false;

  const push = (entry: [number, string]) => {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]![0] <= heap[i]![0]) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = (): [number, string] | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  // Drop heap entries that were cancelled or moved (lazy deletion).
  const peek = (): [number, string] | undefined => {
    while (heap.length > 0 && due.get(heap[0]![1]) !== heap[0]![0]) pop();
    if (heap.length > 4 * due.size + 64) {
      heap = [...due].map(([k, t]) => [t, k] as [number, string]).sort((a, b) => a[0] - b[0]);
    }
    return heap[0];
  };
  const arm = () => {
    if (!running) return;
    const next = peek();
    if (!next) {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = armedFor = undefined;
      return;
    }
    // A timer armed for an earlier time stays: it wakes the queue, which runs what is due then
    // and arms for the next. A game's deadline moves later on every pick, and the earliest one is
    // often the game just clicked, so re-arming for each move cost a timer cleared and set per click.
    if (timer !== undefined && armedFor !== undefined && armedFor <= next[0]) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    armedFor = next[0];
    timer = timers.setTimeout(() => {
      timer = armedFor = undefined;
      queue.runDue();
    }, Math.max(0, next[0] - options.clock.now()));
  };

  const queue: DeadlineQueue = {
    schedule(key, at) {
      due.set(key, at);
      push([at, key]);
      arm();
    },
    cancel(key) {
      due.delete(key);
    },
    dueAt: (key) => due.get(key),
    size: () => due.size,
    runDue() {
      const now = options.clock.now();
      for (let next = peek(); next && next[0] <= now; next = peek()) {
        pop();
        due.delete(next[1]);
        try {
          options.onDue(next[1]);
        } catch (error) {
          options.onError?.(error, next[1]);
        }
      }
      arm();
    },
    start() {
      running = true;
      queue.runDue();
    },
    stop() {
      running = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = armedFor = undefined;
    },
  };
  return queue;
}
