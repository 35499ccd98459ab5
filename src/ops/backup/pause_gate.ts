/**
 * A gate the app puts in front of new work (interactions) so an in-process restore can swap
 * the database: while paused, new work waits in arrival order; `pause()` resolves once the
 * work already running has finished (or after `drainTimeoutMs`), and `resume()` lets the
 * waiting work through.
 */

/** The gate. */
export interface PauseGate {
  /** Holds new work and waits (at most the drain timeout) for running work to finish. */
  pause(): Promise<void>;
  /** Lets held work through, oldest first. */
  resume(): void;
  readonly paused: boolean;
  /** Work started through the gate and not yet finished. */
  readonly inFlight: number;
  /** Runs `work` now, or when the gate opens. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Creates an open gate. `drainTimeoutMs` bounds how long `pause()` waits (default 2000). */
export function createPauseGate(options: { drainTimeoutMs?: number } = {}): PauseGate {
  const drainTimeoutMs = options.drainTimeoutMs ?? 2000;
  let paused = false;
  let inFlight = 0;
  let waiting: (() => void)[] = [];
  let drained: (() => void)[] = [];

  const start = async <T>(work: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await work();
    } finally {
      inFlight--;
      if (inFlight === 0) {
        const done = drained;
        drained = [];
        for (const resolve of done) resolve();
      }
    }
  };

  return {
    get paused() {
      return paused;
    },
    get inFlight() {
      return inFlight;
    },
    async pause() {
      paused = true;
      if (inFlight === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => drained.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeoutMs))),
      ]);
      clearTimeout(timer);
    },
    resume() {
      paused = false;
      const released = waiting;
      waiting = [];
      for (const release of released) release();
    },
    run<T>(work: () => Promise<T>): Promise<T> {
      if (!paused) return start(work);
      return new Promise<void>((resolve) => waiting.push(resolve)).then(() => start(work));
    },
  };
}
