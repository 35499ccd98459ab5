/**
 * A change feed: whoever changes the sandbox's world calls `notify()`, and long-polls wait
 * for a condition to become true without sleeping or polling on a timer.
 *
 * @module
 */

/** Wakes waiters when the world changes. */
export interface ChangeFeed {
  /** Re-checks every waiter; call after any change. */
  notify(): void;
  /**
   * Resolves with `check()`'s first defined result, re-evaluated after each `notify()`, or with
   * `undefined` once `timeoutMs` passes, `signal` aborts or the feed closes.
   */
  waitFor<T>(
    check: () => T | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T | undefined>;
  /** Number of waiters still waiting (for tests and the state view). */
  readonly waiting: number;
  /** Releases every waiter with `undefined` and refuses new waits. Idempotent. */
  close(): void;
}

interface Waiter {
  check(): boolean;
  release(): void;
}

/** Creates an empty change feed. */
export function createChangeFeed(): ChangeFeed {
  const waiters = new Set<Waiter>();
  let closed = false;

  return {
    notify() {
      for (const waiter of [...waiters]) {
        if (waiter.check()) waiters.delete(waiter);
      }
    },
    waitFor<T>(check: () => T | undefined, timeoutMs: number, signal?: AbortSignal) {
      const first = check();
      if (first !== undefined || closed || timeoutMs <= 0 || signal?.aborted) {
        return Promise.resolve(first);
      }
      return new Promise<T | undefined>((resolve) => {
        const finish = (value: T | undefined) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          waiters.delete(waiter);
          resolve(value);
        };
        const onAbort = () => finish(undefined);
        const waiter: Waiter = {
          check() {
            const value = check();
            if (value === undefined) return false;
            finish(value);
            return true;
          },
          release: () => finish(undefined),
        };
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.add(waiter);
      });
    },
    get waiting() {
      return waiters.size;
    },
    close() {
      closed = true;
      for (const waiter of [...waiters]) waiter.release();
      waiters.clear();
    },
  };
}
