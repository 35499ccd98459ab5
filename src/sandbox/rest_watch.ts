/**
 * Watches how REST clients treat the limits Discord sets, over an injected clock:
 *
 * - every 429 the sandbox sends (from its own buckets or from a fault) opens a window on its
 *   scope (the bucket and top-level resource, or the whole token for the global limit) until
 *   `retry_after` has passed; a request in that scope before then is "early" — exactly what
 *   Discord counts as an invalid request;
 * - the invalid-request counter: 401, 403 and 429 (except scope "shared") per IP, and once it
 *   passes the limit within the window, a temporary "Cloudflare" ban of that IP (HTTP 429 with
 *   an HTML body, no JSON and no rate-limit headers, as Discord's edge answers).
 *
 * @module
 */
import type { SandboxSettings } from "./settings.ts";

/**
 * A request that reaches the sandbox within this many ms after the 429 was sent was in flight
 * before the client could have read it (loopback round trip); it is not counted as early.
 */
export const CROSSING_GRACE_MS = 20;
/** Early requests kept for `state()`. */
const KEEP_EARLY = 50;

/** A request that came before the Retry-After of a 429 in its scope had passed. */
export interface EarlyRequest {
  at: number;
  method: string;
  path: string;
  scope: string;
  /** How much too early, in ms. */
  earlyByMs: number;
  faultId?: string;
}

/** The first request in a scope after a 429: how long the client waited. */
export interface RetryObservation {
  scope: string;
  faultId?: string;
  waitedMs: number;
  retryAfterMs: number;
  early: boolean;
  method: string;
  path: string;
}

/** What `state()` shows. */
export interface RestWatchState {
  /** 429s the sandbox sent (buckets, global limit and faults). */
  rateLimited: number;
  /** Requests sent before their Retry-After had passed. */
  earlyRequests: number;
  recentEarly: EarlyRequest[];
  /** Invalid-request counters per IP in the current window. */
  invalidRequests: {
    ip: string;
    count: number;
    windowEndsAt: number;
    bannedUntil: number | null;
  }[];
  /** Requests answered by the ban. */
  bannedResponses: number;
  /** REST requests being answered now (arrived, no response yet). */
  inFlight: number;
  /** The most REST requests the sandbox was answering at once since it started. */
  peakInFlight: number;
}

/** The watcher. */
export interface RestWatch {
  /** The ban response for `ip`, if it is banned now. */
  ban(ip: string): Response | undefined;
  /** Checks a request against open 429 windows; call before deciding its answer. */
  arrival(input: { scopes: string[]; method: string; path: string }): void;
  /** Records a 429 sent for `scopes`, retry allowed after `retryAfterMs`. */
  limited(input: { scopes: string[]; retryAfterMs: number; faultId?: string }): void;
  /** Closes the windows a fault opened (it was ended early: its Retry-After no longer holds). */
  forget(faultId: string): void;
  /** Counts a response toward the IP's invalid-request limit. */
  answered(ip: string, status: number, scope: string | null): void;
  onRetry(listener: (observation: RetryObservation) => void): void;
  /** A request arrived (`+1`) or was answered (`-1`): how many a client keeps open at once. */
  inFlight(change: 1 | -1): void;
  state(): RestWatchState;
}

interface Window {
  sentAt: number;
  retryAt: number;
  faultId?: string;
  /** The first request after the 429 has been reported. */
  reported: boolean;
}

interface Counter {
  count: number;
  windowEndsAt: number;
  bannedUntil: number | null;
}

/** Creates a watcher. */
export function createRestWatch(deps: { now: () => number; settings: SandboxSettings }): RestWatch {
  const windows = new Map<string, Window>();
  const counters = new Map<string, Counter>();
  const recentEarly: EarlyRequest[] = [];
  const listeners: ((observation: RetryObservation) => void)[] = [];
  let rateLimited = 0;
  let earlyRequests = 0;
  let bannedResponses = 0;
  let inFlight = 0;
  let peakInFlight = 0;

  const counter = (ip: string, now: number): Counter => {
    let c = counters.get(ip);
    if (!c || (now >= c.windowEndsAt && (c.bannedUntil === null || now >= c.bannedUntil))) {
      c = { count: 0, windowEndsAt: now + deps.settings.invalidRequestWindowMs, bannedUntil: null };
      counters.set(ip, c);
    }
    return c;
  };

  return {
    ban(ip) {
      const now = deps.now();
      const c = counters.get(ip);
      if (!c?.bannedUntil || now >= c.bannedUntil) return undefined;
      bannedResponses++;
      const seconds = Math.max(1, Math.ceil((c.bannedUntil - now) / 1000));
      return new Response(
        "<!DOCTYPE html>\n<html><head><title>Access denied | discord.com used Cloudflare to " +
          "restrict access</title></head><body><h1>Error 1015</h1><p>You are being rate " +
          "limited.</p><p>The owner of this website (discord.com) has banned you temporarily " +
          "from accessing this website.</p></body></html>\n",
        {
          status: 429,
          headers: {
            "content-type": "text/html; charset=UTF-8",
            "retry-after": String(seconds),
            "cf-ray": "0000000000000000-SBX",
            server: "cloudflare",
          },
        },
      );
    },
    arrival({ scopes, method, path }) {
      const now = deps.now();
      for (const scope of scopes) {
        const w = windows.get(scope);
        if (!w) continue;
        if (now >= w.retryAt && w.reported) {
          windows.delete(scope);
          continue;
        }
        const early = now < w.retryAt && now - w.sentAt > CROSSING_GRACE_MS;
        if (early) {
          earlyRequests++;
          recentEarly.push({
            at: now,
            method,
            path,
            scope,
            earlyByMs: w.retryAt - now,
            ...(w.faultId ? { faultId: w.faultId } : {}),
          });
          if (recentEarly.length > KEEP_EARLY) recentEarly.shift();
        }
        if (!w.reported && (early || now >= w.retryAt)) {
          w.reported = true;
          const observation: RetryObservation = {
            scope,
            waitedMs: now - w.sentAt,
            retryAfterMs: w.retryAt - w.sentAt,
            early,
            method,
            path,
            ...(w.faultId ? { faultId: w.faultId } : {}),
          };
          for (const listener of listeners) listener(observation);
        }
        if (now >= w.retryAt) windows.delete(scope);
      }
    },
    limited({ scopes, retryAfterMs, faultId }) {
      const now = deps.now();
      rateLimited++;
      for (const scope of scopes) {
        windows.set(scope, {
          sentAt: now,
          retryAt: now + retryAfterMs,
          reported: false,
          ...(faultId ? { faultId } : {}),
        });
      }
      if (windows.size > 20_000) {
        for (const [key, w] of windows) if (now >= w.retryAt) windows.delete(key);
      }
    },
    forget(faultId) {
      for (const [key, w] of windows) if (w.faultId === faultId) windows.delete(key);
    },
    answered(ip, status, scope) {
      if (status !== 401 && status !== 403 && status !== 429) return;
      if (status === 429 && scope === "shared") return;
      const now = deps.now();
      const c = counter(ip, now);
      if (c.bannedUntil !== null) return;
      c.count++;
      if (c.count >= deps.settings.invalidRequestLimit) {
        c.bannedUntil = now + deps.settings.invalidRequestBanMs;
      }
    },
    onRetry: (listener) => void listeners.push(listener),
    inFlight(change) {
      inFlight += change;
      if (inFlight > peakInFlight) peakInFlight = inFlight;
    },
    state() {
      const now = deps.now();
      return {
        rateLimited,
        earlyRequests,
        recentEarly: [...recentEarly],
        invalidRequests: [...counters.entries()].map(([ip, c]) => ({
          ip,
          count: c.count,
          windowEndsAt: c.windowEndsAt,
          bannedUntil: c.bannedUntil !== null && now < c.bannedUntil ? c.bannedUntil : null,
        })),
        bannedResponses,
        inFlight,
        peakInFlight,
      };
    },
  };
}
