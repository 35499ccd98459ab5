/**
 * REST faults, applied to the requests that arrive while they are active:
 *
 * - `rate_limit`: 429 with Discord's headers and body for the scope asked —
 *   "user" (X-RateLimit-Reset-After equal to retry_after), "shared" (a per-resource limit:
 *   Reset-After is the route bucket's, shorter than Retry-After, and Remaining is not 0, as in
 *   Discord's documented example) or "global" (Retry-After and X-RateLimit-Global only; routes
 *   outside the global limit, the interaction endpoints, are spared as on Discord);
 * - `server_error`: 500/502/503/504 for a share of requests (seeded);
 * - `latency`: an added delay;
 * - `stall`: no answer at all until the client gives up or the fault ends (then 504).
 *
 * @module
 */
import { bucketHash } from "./rate_limit.ts";
import { json } from "./errors.ts";
import type { FaultDeps, FaultHandle, FaultKind } from "./faults.ts";

/** The REST fault kinds. */
export const REST_KINDS: FaultKind[] = ["rate_limit", "server_error", "latency", "stall"];

/** What a REST fault sees of a request. */
export interface RestFaultContext {
  method: string;
  /** The path after `/api/v10`. */
  path: string;
  /** "POST /channels/{channel.id}/messages" */
  route: string;
  /** The rate-limit scope of the route's bucket and top-level resource. */
  routeScope: string;
  /** The token's global scope, or null for routes outside the global limit. */
  globalScope: string | null;
  bucket: { limit: number; windowMs: number };
  request: Request;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Whether a fault's `route` filter selects this request. */
export function routeMatches(filter: string | undefined, context: RestFaultContext): boolean {
  if (!filter) return true;
  if (filter === context.route) return true;
  const [method, pattern] = filter.includes(" ") ? filter.split(/\s+/, 2) : [undefined, filter];
  if (method && method.toUpperCase() !== context.method) return false;
  return pattern !== undefined && context.path.startsWith(pattern);
}

/** Notes what the fault will do and how its record is closed. */
export function applyRestFault(_deps: FaultDeps, handle: FaultHandle): void {
  const input = handle.input;
  const where = input.route ? `requests matching "${input.route}"` : "every REST request";
  const until = `for ${input.durationMs} ms`;
  switch (input.kind) {
    case "rate_limit":
      handle.note(`answers 429 (scope ${input.scope ?? "user"}) to ${where} ${until}`);
      break;
    case "server_error":
      handle.note(
        `answers ${input.status ?? 500} to ${
          Math.round((input.fraction ?? 1) * 100)
        }% of ${where} ${until}`,
      );
      break;
    case "latency":
      handle.note(
        `delays ${where} by ${input.latencyMs ?? 500} ms (+${input.jitterMs ?? 0}) ${until}`,
      );
      break;
    case "stall":
      handle.note(`leaves ${where} unanswered ${until}`);
      break;
  }
  handle.onEnd(() => {
    const c = handle.record.counts;
    if (input.kind === "server_error") {
      const errors = c.responses5xx ?? 0;
      const retried = c.retried ?? 0;
      handle.note(`${errors} request(s) failed, ${retried} retried`);
      if (errors > 0) handle.outcome(retried > 0 ? "retried" : "not retried");
    }
    if (input.kind === "stall" && (c.held ?? 0) > 0) {
      handle.outcome((c.abandoned ?? 0) > 0 ? "gave up" : "waited until the end");
    }
    if (input.kind === "latency") handle.outcome(`${c.delayed ?? 0} delayed`);
  });
}

const failures = new WeakMap<FaultHandle, Map<string, number>>();

/** The fault's answer for a request it applies to (undefined: handle it normally). */
export async function restFaultAnswer(
  deps: FaultDeps,
  handle: FaultHandle,
  context: RestFaultContext,
): Promise<Response | undefined> {
  const input = handle.input;
  const now = deps.world.now();
  const key = `${context.method} ${context.path}`;
  if (input.kind === "server_error") {
    const failed = failures.get(handle);
    const at = failed?.get(key);
    if (failed && at !== undefined) {
      failed.delete(key);
      handle.count("retried");
      handle.react(`${key}: retried after ${now - at} ms`);
    }
  }
  if (!routeMatches(input.route, context)) return undefined;
  switch (input.kind) {
    case "latency": {
      const extra = (input.latencyMs ?? 500) +
        Math.floor(deps.random.next() * (input.jitterMs ?? 0));
      handle.count("delayed");
      await new Promise((resolve) => setTimeout(resolve, extra));
      return undefined;
    }
    case "rate_limit":
      return rateLimitAnswer(deps, handle, context, now);
    case "server_error": {
      if (!deps.random.chance(input.fraction ?? 1)) return undefined;
      handle.count("responses5xx");
      let failed = failures.get(handle);
      if (!failed) failures.set(handle, failed = new Map());
      if (failed.size < 10_000) failed.set(key, now);
      return serverError(input.status ?? 500);
    }
    case "stall":
      return await stall(deps, handle, context, key);
  }
  return undefined;
}

function rateLimitAnswer(
  deps: FaultDeps,
  handle: FaultHandle,
  context: RestFaultContext,
  now: number,
): Response | undefined {
  const input = handle.input;
  const scope = input.scope ?? "user";
  // The interaction endpoints are not bound to the global rate limit.
  if (scope === "global" && context.globalScope === null) return undefined;
  const retryAfterMs = input.retryAfterMs ?? Math.max(1, (handle.record.endsAt ?? now) - now);
  const retryAfter = Number((retryAfterMs / 1000).toFixed(3));
  const headers: Record<string, string> = {
    "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  };
  if (scope === "global") {
    headers["X-RateLimit-Global"] = "true";
    headers["X-RateLimit-Scope"] = "global";
  } else {
    const resetAfterMs = scope === "shared"
      ? input.resetAfterMs ?? Math.min(retryAfterMs, context.bucket.windowMs)
      : retryAfterMs;
    Object.assign(headers, {
      "X-RateLimit-Limit": String(context.bucket.limit),
      "X-RateLimit-Remaining": scope === "shared"
        ? String(Math.max(0, context.bucket.limit - 1))
        : "0",
      "X-RateLimit-Reset": seconds(now + resetAfterMs),
      "X-RateLimit-Reset-After": seconds(resetAfterMs),
      "X-RateLimit-Bucket": bucketHash(context.route),
      "X-RateLimit-Scope": scope,
    });
  }
  deps.watch.limited({
    scopes: [scope === "global" ? context.globalScope! : context.routeScope],
    retryAfterMs,
    faultId: handle.record.id,
  });
  handle.count("responses429");
  if ((handle.record.counts.responses429 ?? 0) <= 20) {
    handle.note(`429 to ${context.method} ${context.path}: retry_after ${retryAfter} s`);
  }
  return json(429, {
    message: scope === "shared"
      ? "The resource is being rate limited."
      : "You are being rate limited.",
    retry_after: retryAfter,
    global: scope === "global",
  }, headers);
}

function serverError(status: number): Response {
  if (status === 500) return json(500, { message: "500: Internal Server Error", code: 0 });
  const text = status === 502
    ? "Bad Gateway"
    : status === 503
    ? "Service Unavailable"
    : "Gateway Timeout";
  return new Response(
    `<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}` +
      `</h1></center><hr><center>cloudflare</center></body></html>\n`,
    { status, headers: { "content-type": "text/html", server: "cloudflare" } },
  );
}

function stall(
  deps: FaultDeps,
  handle: FaultHandle,
  context: RestFaultContext,
  key: string,
): Promise<Response> {
  const started = deps.world.now();
  handle.count("held");
  return new Promise((resolve) => {
    let done = false;
    const finish = (response: Response) => {
      if (done) return;
      done = true;
      resolve(response);
    };
    const signal = context.request.signal;
    const onAbort = () => {
      handle.count("abandoned");
      handle.react(`${key}: client gave up after ${deps.world.now() - started} ms`);
      finish(new Response(null, { status: 499 }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    handle.onEnd(() => {
      signal.removeEventListener("abort", onAbort);
      if (done) return;
      handle.react(`${key}: still waiting when the stall ended (${deps.world.now() - started} ms)`);
      finish(serverError(504));
    });
  });
}
