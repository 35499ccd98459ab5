/**
 * A replacement for `@discordeno/rest@21.0.0`'s `rest.sendRequest`, the one function that
 * sends a request and decides what a response means. It keeps discordeno's queues, buckets
 * and invalid-request bucket, and changes these things (see docs/DECISIONS.md D10 and D11):
 *
 * - a 429 is retried only after its `retry_after` (JSON body, seconds with decimals) or, when
 *   the body has none, its `Retry-After` header — never after `X-RateLimit-Reset-After`,
 *   which 21.0.0 uses and which a "shared" (per-resource) 429 sets shorter than Retry-After,
 *   and a global 429 does not send at all. Until then the route is marked rate limited, so
 *   the queue holds the other requests to it too;
 * - a 429 without a JSON body is Discord's edge ("Cloudflare") refusing this IP for too many
 *   invalid requests: it fails at once instead of being retried, since every retry extends
 *   the ban;
 * - each attempt has a deadline (`timeoutMs`, body included): a stalled request fails with
 *   status 408 instead of blocking its queue forever (21.0.0 has no timeout), and a failed
 *   attempt gives its queue slot back (21.0.0 leaves the route's queue stuck after one);
 * - a 5xx (Discord's or its edge's transient failure) is retried up to
 *   {@link SERVER_ERROR_RETRIES} times after 100, 200, 400 ms, as discord.js does; 21.0.0
 *   fails it at once, which lost board updates and interaction answers (docs/RELIABILITY.md);
 * - a body marked with {@link inDiscordsFormat} is sent without discordeno's conversion copy;
 * - at most `maxInFlight` attempts are under way at once, the others wait in order: 21.0.0
 *   sends every interaction answer at once, and a backlog opened a connection for each
 *   (816 after one burst) that made the backlog worse (docs/DECISIONS.md D36).
 *
 * @module
 */
import type { RestManager } from "@discordeno/bot";
import type { Logger } from "../log.ts";

const preformatted = new WeakSet<object>();

/**
 * Marks a request body Blitz built in Discord's own format (snake_case keys, no bigint, nothing
 * to convert): {@link installRestSend} then sends it as it is. discordeno otherwise copies every
 * body through `changeToDiscordFormat`, key by key: 7 % of what Blitz allocated per game click,
 * for a copy equal to the original (docs/DECISIONS.md D37). Returns `body`.
 */
export function inDiscordsFormat<T extends object>(body: T): T {
  preformatted.add(body);
  return body;
}

/** Options of {@link installRestSend}. */
export interface RestSendOptions {
  /** Deadline of one attempt (request and response body), in ms. */
  timeoutMs: number;
  /** Requests in flight at once at most; the others wait their turn in order (default 32). */
  maxInFlight?: number;
  logger: Logger;
}

/** Requests to Discord in flight at once, at most, unless told otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 32;

/**
 * At most `max` holders at once; the others wait in order of arrival. `acquire` returns
 * undefined when a slot was free (no promise, no microtask), else a promise of one.
 */
export function createSlots(max: number) {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Slots must be at least 1, not ${max}`);
  }
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire(): Promise<void> | undefined {
      if (held < max) {
        held++;
        return undefined;
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    /** Hands the slot to the longest waiter, or frees it. */
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else held--;
    },
    /** Slots held now. */
    held: () => held,
    /** Callers waiting for a slot. */
    waiting: () => waiting.length,
  };
}

type SendRequestOptions = Parameters<RestManager["sendRequest"]>[0];

/** How often a request answered with a 5xx is sent again before it fails. */
export const SERVER_ERROR_RETRIES = 3;
const SERVER_ERROR_BACKOFF_MS = 100;

/** How long a 429 asks to wait, in ms: `retry_after` from the body, else `Retry-After`. */
export function retryAfterMs(headers: Headers, body: unknown): number | undefined {
  const fromBody = (body as { retry_after?: unknown } | null)?.retry_after;
  if (typeof fromBody === "number" && Number.isFinite(fromBody) && fromBody >= 0) {
    return Math.ceil(fromBody * 1000);
  }
  const header = Number(headers.get("retry-after"));
  return headers.has("retry-after") && Number.isFinite(header) && header >= 0
    ? Math.ceil(header * 1000)
    : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Requests to Discord in flight now, and those waiting for a slot (see `maxInFlight`). */
export interface RestLoad {
  inFlight: number;
  waiting: number;
}

/**
 * Replaces `rest.sendRequest`; call once, right after `createRestManager`. Returns a reader of
 * the requests in flight and waiting (for the metrics).
 */
export function installRestSend(rest: RestManager, options: RestSendOptions): () => RestLoad {
  const logger = options.logger;
  /** 5xx retries per request (its 429 retries are counted apart, in `retryCount`). */
  const serverErrorRetries = new WeakMap<SendRequestOptions, number>();
  const slots = createSlots(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  // discordeno's recursion calls `rest.changeToDiscordFormat` too; only a marked body is kept.
  const convert = rest.changeToDiscordFormat;
  rest.changeToDiscordFormat = (obj) =>
    typeof obj === "object" && obj !== null && preformatted.has(obj) ? obj : convert(obj);

  rest.sendRequest = async (request: SendRequestOptions) => {
    const url = `${rest.baseUrl}/v${rest.version}${request.route}`;
    const payload = rest.createRequestBody(request.method, request.requestBodyOptions);
    const turn = slots.acquire();
    if (turn) await turn;
    // A timer cleared as soon as the body is read, not `AbortSignal.timeout`: that one's timer
    // keeps the signal, and through fetch's abort listener the request, its response and the
    // caller's closures, alive for the whole `timeoutMs` after the answer came, so each request
    // reached V8's old generation (measured: 15 % of what did) and fired a TimeoutError later.
    const controller = new AbortController();
    const signal = controller.signal;
    const deadline = setTimeout(
      () => controller.abort(new DOMException("The request timed out", "TimeoutError")),
      options.timeoutMs,
    );
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...payload, signal });
      text = response.status === 204 ? "" : await response.text();
      clearTimeout(deadline);
      slots.release();
    } catch (error) {
      clearTimeout(deadline);
      slots.release();
      rest.invalidBucket.handleCompletedRequest(999, false);
      // Give the queue its slot back: 21.0.0 restores it only from a response's headers, so
      // after a network error or timeout the route's queue would wait forever.
      const identifier = payload.headers.authorization ?? `Bot ${rest.token}`;
      rest.queues.get(`${identifier}${rest.simplifyUrl(request.route, request.method)}`)
        ?.handleCompletedRequest({ max: 0 });
      const timedOut = (error as Error)?.name === "TimeoutError" || signal.aborted;
      const message = timedOut
        ? `Discord did not answer ${request.method} ${request.route} within ${options.timeoutMs} ms`
        : `Cannot reach Discord for ${request.method} ${request.route}: ${
          (error as Error)?.message ?? error
        }`;
      logger.warn("{message}", { message });
      request.reject({ ok: false, status: timedOut ? 408 : 999, error: message });
      return;
    }

    rest.invalidBucket.handleCompletedRequest(
      response.status,
      response.headers.get("x-ratelimit-scope") === "shared",
    );
    const simplified = rest.simplifyUrl(request.route, request.method);
    const identifier = payload.headers.authorization ?? `Bot ${rest.token}`;
    // discordeno keys its queues by the request's authorization, defaulting to the bot's.
    const bucketId = rest.processHeaders(simplified, response.headers, identifier);
    if (bucketId) request.bucketId = bucketId;

    if (response.status >= 200 && response.status < 400) {
      request.resolve({ ok: true, status: response.status, body: text || undefined });
      return;
    }
    const retried = serverErrorRetries.get(request) ?? 0;
    if (response.status >= 500 && retried < SERVER_ERROR_RETRIES) {
      serverErrorRetries.set(request, retried + 1);
      const waitMs = SERVER_ERROR_BACKOFF_MS * 2 ** retried;
      logger.warn("Discord answered {status} to {route}: retry {attempt} of {max} in {ms} ms", {
        status: response.status,
        route: `${request.method} ${request.route}`,
        attempt: retried + 1,
        max: SERVER_ERROR_RETRIES,
        ms: waitMs,
      });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await request.retryRequest?.(request);
      return;
    }
    if (response.status !== 429) {
      request.reject({ ok: false, status: response.status, body: text });
      return;
    }

    const body = parseJson(text);
    if (body === undefined) {
      const message = `Discord's edge refused ${request.method} ${request.route} (HTTP 429 ` +
        `without a JSON body: this IP is temporarily banned for too many invalid requests; ` +
        `Retry-After ${response.headers.get("retry-after") ?? "?"} s)`;
      logger.error("{message}", { message });
      request.reject({ ok: false, status: 429, body: text, error: message });
      return;
    }
    if (request.retryCount >= rest.maxRetryCount) {
      request.reject({
        ok: false,
        status: 429,
        body: text,
        error: "The request was rate limited and it maxed out the retries limit.",
      });
      return;
    }
    request.retryCount += 1;
    const waitMs = retryAfterMs(response.headers, body) ?? 1000;
    const resetTimestamp = Date.now() + waitMs;
    // Hold the other requests to this route (and bucket) until then, not just this one.
    const held = { url: simplified, resetTimestamp, bucketId: request.bucketId };
    rest.rateLimitedPaths.set(`${identifier}${simplified}`, held);
    if (request.bucketId) rest.rateLimitedPaths.set(`${identifier}${request.bucketId}`, held);
    if (!rest.processingRateLimitedPaths) rest.processRateLimitedPaths();
    logger.debug("Rate limited on {route}: retrying in {ms} ms", {
      route: `${request.method} ${request.route}`,
      ms: waitMs,
    });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    await request.retryRequest?.(request);
  };
  return () => ({ inFlight: slots.held(), waiting: slots.waiting() });
}
