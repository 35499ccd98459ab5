/**
 * Per-user rate limit on commands and clicks: a token bucket per user (a burst, then a
 * steady rate). Pure over the injected clock; idle buckets are forgotten.
 */
import type { Clock } from "../clock.ts";

/** Options for {@link createUserRateLimiter}. */
export interface UserRateLimitOptions {
  clock: Clock;
  /** Actions a user may make at once (bucket size). */
  burst: number;
  /** Actions per second refilled. */
  perSecond: number;
}

/** The limiter. */
export interface UserRateLimiter {
  /** Takes one token for `userId`: 0 when allowed, else ms until the next token. */
  take(userId: string): number;
  /** Users tracked right now. */
  size(): number;
}

/** Creates the limiter. */
export function createUserRateLimiter(options: UserRateLimitOptions): UserRateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillMs = 1000 / options.perSecond;
  let lastSweep = options.clock.now();
  const sweep = (now: number) => {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    const full = options.burst * refillMs;
    for (const [id, b] of buckets) if (now - b.at > full) buckets.delete(id);
  };
  return {
    take(userId) {
      const now = options.clock.now();
      sweep(now);
      const bucket = buckets.get(userId) ?? { tokens: options.burst, at: now };
      bucket.tokens = Math.min(options.burst, bucket.tokens + (now - bucket.at) / refillMs);
      bucket.at = now;
      buckets.set(userId, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) * refillMs);
    },
    size: () => buckets.size,
  };
}
