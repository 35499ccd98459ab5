/**
 * A loopback relay in front of the sandbox's REST API that fails a share of requests the way
 * Discord does: 429s with Discord's headers and body (scope user, shared or global; routes of
 * the interaction endpoints are never given a global 429, as on Discord) and 5xx answers, each
 * request drawn independently from a seeded source. It watches the client as Discord would:
 * a request in the scope of a 429 before its `retry_after` has passed is "early", and 401,
 * 403 and 429 (except scope "shared") count as invalid requests.
 */
import { prng } from "./fault_rig.ts";

/** Options of {@link startRestChaos}. */
export interface RestChaosOptions {
  /** The sandbox's REST base, e.g. "http://127.0.0.1:PORT/api". */
  target: string;
  /** Share of requests answered 429 (default 0.2). */
  rate429?: number;
  /** Share of requests answered 500/502/503/504 (default 0.05). */
  rate5xx?: number;
  /** retry_after of the 429s, in ms: [min, max] (default 100–1000). */
  retryAfterMs?: [number, number];
  seed?: number;
}

/** A request that came before the Retry-After of a 429 in its scope had passed. */
export interface EarlyRequest {
  method: string;
  path: string;
  scope: string;
  earlyByMs: number;
}

/** What the relay saw and did. */
export interface RestChaosStats {
  requests: number;
  forwarded: number;
  responses429: { user: number; shared: number; global: number };
  responses5xx: number;
  /** 401, 403 and non-shared 429, from the relay and from the sandbox behind it. */
  invalidRequests: number;
  early: EarlyRequest[];
  /** Requests per route template (ids replaced), for the record. */
  byRoute: Record<string, number>;
}

/** The running relay. */
export interface RestChaos {
  /** The base URL to give Blitz as DISCORD_API_URL. */
  url: string;
  /** Switches the faults on or off (off: every request is forwarded untouched). */
  setEnabled(enabled: boolean): void;
  stats(): RestChaosStats;
  close(): Promise<void>;
}

/** A request within this many ms of its 429 was in flight before the client could read it. */
const CROSSING_GRACE_MS = 20;

/** "PATCH /channels/{id}/messages/{id}" for the record. */
function routeTemplate(method: string, path: string): string {
  return `${method} ${
    path.replace(/\/v\d+/, "").replace(/\/\d{15,21}/g, "/{id}").replace(
      /\/(interactions|webhooks)\/\{id\}\/[^/]+/,
      "/$1/{id}/{token}",
    )
  }`;
}

/** Whether Discord's global limit applies: interaction endpoints are exempt. */
function underGlobalLimit(path: string): boolean {
  return !/^\/v\d+\/(interactions|webhooks)\//.test(path);
}

function bucketOf(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

function serverError(status: number): Response {
  if (status === 500) {
    return Response.json({ message: "500: Internal Server Error", code: 0 }, { status });
  }
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

/** Starts the relay on a free loopback port. */
export function startRestChaos(options: RestChaosOptions): Promise<RestChaos> {
  const random = prng(options.seed ?? 1);
  const rate429 = options.rate429 ?? 0.2;
  const rate5xx = options.rate5xx ?? 0.05;
  const [retryMin, retryMax] = options.retryAfterMs ?? [100, 1000];
  const target = options.target.replace(/\/+$/, "");
  let enabled = true;
  /** Open 429 windows per scope: the exact request, or "global". */
  const windows = new Map<string, { sentAt: number; retryAt: number }>();
  const stats: RestChaosStats = {
    requests: 0,
    forwarded: 0,
    responses429: { user: 0, shared: 0, global: 0 },
    responses5xx: 0,
    invalidRequests: 0,
    early: [],
    byRoute: {},
  };

  const checkEarly = (method: string, path: string, scopes: string[], now: number) => {
    for (const scope of scopes) {
      const w = windows.get(scope);
      if (!w) continue;
      if (now >= w.retryAt) {
        windows.delete(scope);
        continue;
      }
      if (now - w.sentAt > CROSSING_GRACE_MS && stats.early.length < 1000) {
        stats.early.push({ method, path, scope, earlyByMs: w.retryAt - now });
      }
    }
  };

  const rateLimited = (method: string, path: string, now: number): Response => {
    const global = underGlobalLimit(path) && random() < 0.1;
    const scope = global ? "global" : random() < 0.5 ? "shared" : "user";
    const retryAfterMs = Math.round(retryMin + random() * (retryMax - retryMin));
    const retryAfter = retryAfterMs / 1000;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "Retry-After": String(Math.max(1, Math.ceil(retryAfter))),
      "X-RateLimit-Scope": scope,
    };
    if (global) {
      headers["X-RateLimit-Global"] = "true";
    } else {
      // A shared (per-resource) 429 carries the route bucket's Reset-After, shorter than
      // Retry-After, and a Remaining that is not 0 — as in Discord's documented example.
      const resetAfter = scope === "shared" ? Math.min(0.05, retryAfter) : retryAfter;
      Object.assign(headers, {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": scope === "shared" ? "4" : "0",
        "X-RateLimit-Reset": ((now / 1000) + resetAfter).toFixed(3),
        "X-RateLimit-Reset-After": resetAfter.toFixed(3),
        "X-RateLimit-Bucket": bucketOf(`${method} ${path}`),
      });
    }
    windows.set(global ? "global" : `${method} ${path}`, {
      sentAt: now,
      retryAt: now + retryAfterMs,
    });
    stats.responses429[scope as "user" | "shared" | "global"]++;
    if (scope !== "shared") stats.invalidRequests++;
    return new Response(
      JSON.stringify({
        message: scope === "shared"
          ? "The resource is being rate limited."
          : "You are being rate limited.",
        retry_after: retryAfter,
        global,
      }),
      { status: 429, headers },
    );
  };

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api/, "");
    const method = request.method;
    const now = Date.now();
    stats.requests++;
    const route = routeTemplate(method, path);
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    checkEarly(
      method,
      path,
      underGlobalLimit(path) ? [`${method} ${path}`, "global"] : [
        `${method} ${path}`,
      ],
      now,
    );
    const body = method === "GET" || method === "HEAD" ? undefined : await request.arrayBuffer();
    if (enabled) {
      const roll = random();
      if (roll < rate429) return rateLimited(method, path, now);
      if (roll < rate429 + rate5xx) {
        stats.responses5xx++;
        return serverError([500, 502, 503, 504][Math.floor(random() * 4)]!);
      }
    }
    const headers = new Headers(request.headers);
    headers.delete("host");
    headers.delete("content-length");
    stats.forwarded++;
    const response = await fetch(`${target}${path}${url.search}`, { method, headers, body });
    const scope = response.headers.get("x-ratelimit-scope");
    if (
      response.status === 401 || response.status === 403 ||
      (response.status === 429 && scope !== "shared")
    ) stats.invalidRequests++;
    const out = new Headers(response.headers);
    out.delete("content-encoding");
    out.delete("content-length");
    return new Response(response.status === 204 ? null : await response.arrayBuffer(), {
      status: response.status,
      headers: out,
    });
  };

  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => {
        resolve({
          url: `http://127.0.0.1:${port}/api`,
          setEnabled: (on) => void (enabled = on),
          stats: () => ({
            ...stats,
            responses429: { ...stats.responses429 },
            early: [...stats.early],
            byRoute: { ...stats.byRoute },
          }),
          close: () => server.shutdown(),
        });
      },
    }, handler);
  });
}
