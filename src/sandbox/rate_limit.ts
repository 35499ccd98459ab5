/**
 * REST rate limits the way Discord reports them: a bucket per route (hash in
 * `X-RateLimit-Bucket`), counted per top-level resource (channel, guild, webhook) and per
 * caller, fixed windows, and a global per-caller limit (Discord's is 50 requests per second;
 * off when 0 or undefined). Pure over an injected clock: no timers.
 *
 * @module
 */

/** How many requests a bucket allows per window. */
export interface BucketRule {
  limit: number;
  windowMs: number;
}

/** One request to count. */
export interface RateLimitRequest {
  /** Who is calling: the bot token, or "anonymous" (webhook-token routes, bad auth). */
  identity: string;
  /** The route template, e.g. "POST /channels/{channel.id}/messages". */
  route: string;
  /** The top-level resource, e.g. the channel id; "" when the route has none. */
  resource: string;
  rule: BucketRule;
  /** Whether this route counts toward the global limit (interaction endpoints do not). */
  global: boolean;
}

/** The verdict and the headers to send with the response. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** When refused: seconds until a retry may succeed. */
  retryAfter?: number;
  /** When refused: true if the global limit was hit. */
  global?: boolean;
}

/** Counts requests and decides. */
export interface RateLimiter {
  consume(request: RateLimitRequest): RateLimitDecision;
}

/** Options: `globalPerSecond` (Discord's is 50) is off when undefined or 0; a function is read per request. */
export interface RateLimiterOptions {
  now: () => number;
  globalPerSecond?: number | (() => number);
}

/** An opaque, stable bucket id for a route template (FNV-1a, as hex). */
export function bucketHash(route: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < route.length; i++) {
    a = Math.imul(a ^ route.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ route.charCodeAt(route.length - 1 - i), 0x811c9dc5) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

interface Window {
  count: number;
  resetAt: number;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Creates a rate limiter. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const windows = new Map<string, Window>();
  const globals = new Map<string, Window>();

  // Windows are per resource (one per interaction for its callback): ended ones are dropped
  // every 1,024 new windows and at least once a second, so the maps hold a few seconds' worth.
  let created = 0;
  let sweptAt = 0;
  const take = (map: Map<string, Window>, key: string, windowMs: number, now: number) => {
    let w = map.get(key);
    if (!w || now >= w.resetAt) {
      if (++created >= 1024 || now - sweptAt >= 1000) {
        for (const m of [windows, globals]) {
          for (const [k, old] of m) if (now >= old.resetAt) m.delete(k);
        }
        created = 0;
        sweptAt = now;
      }
      w = { count: 0, resetAt: now + windowMs };
      map.set(key, w);
    }
    return w;
  };

  return {
    consume(request) {
      const now = options.now();
      const perSecond = typeof options.globalPerSecond === "function"
        ? options.globalPerSecond()
        : options.globalPerSecond;
      if (request.global && perSecond) {
        const g = take(globals, request.identity, 1000, now);
        if (g.count >= perSecond) {
          const retryAfter = (g.resetAt - now) / 1000;
          return {
            allowed: false,
            global: true,
            retryAfter,
            headers: {
              "Retry-After": String(Math.max(1, Math.ceil(retryAfter))),
              "X-RateLimit-Global": "true",
              "X-RateLimit-Scope": "global",
            },
          };
        }
        g.count++;
      }
      const w = take(
        windows,
        `${request.identity}\n${request.route}\n${request.resource}`,
        request.rule.windowMs,
        now,
      );
      const headers: Record<string, string> = {
        "X-RateLimit-Limit": String(request.rule.limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": seconds(w.resetAt),
        "X-RateLimit-Reset-After": seconds(w.resetAt - now),
        "X-RateLimit-Bucket": bucketHash(request.route),
      };
      if (w.count >= request.rule.limit) {
        const retryAfter = (w.resetAt - now) / 1000;
        headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfter)));
        headers["X-RateLimit-Scope"] = "user";
        return { allowed: false, global: false, retryAfter, headers };
      }
      w.count++;
      headers["X-RateLimit-Remaining"] = String(request.rule.limit - w.count);
      return { allowed: true, headers };
    },
  };
}
