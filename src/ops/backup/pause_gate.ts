/**
 * A gate the app puts in front of new work (interactions) so an in-process restore can swap
 * the database: while paused, work waits in arrival order; `resume()` lets it through. Work
 * already running is not interrupted (a game action is one short transaction).
 */

/** The gate. */
export interface PauseGate {
  /** Hold new work until {@link PauseGate.resume}. */
  pause(): void;
  /** Let held work through, oldest first. */
  resume(): void;
  readonly paused: boolean;
  /** Runs `work` now, or when the gate opens. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Creates an open gate. */
export function createPauseGate(): PauseGate {
  let paused = false;
  let waiting: (() => void)[] = [];
  return {
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      const released = waiting;
      waiting = [];
      for (const release of released) release();
    },
    run<T>(work: () => Promise<T>): Promise<T> {
      if (!paused) return work();
      return new Promise<void>((resolve) => waiting.push(resolve)).then(work);
    },
  };
}
