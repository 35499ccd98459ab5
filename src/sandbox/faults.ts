/**
 * Faults on demand: the registry behind `POST /_sandbox/faults`. Each fault is checked,
 * applied (gateway faults at once, REST faults to the requests of their time window), and
 * recorded with what the sandbox did (`applied`) and what the client did about it
 * (`reactions`, `outcome`, `counts`): resumed or re-identified, retried after N ms, retried
 * before its Retry-After, gave up on a stalled request...
 *
 * Kinds: `gateway_drop`, `zombie`, `reconnect`, `invalid_session`, `token_revoked` (gateway,
 * `faults_gateway.ts`); `rate_limit`, `server_error`, `latency`, `stall` (REST,
 * `faults_rest.ts`).
 *
 * @module
 */
import type { Gateway } from "./gateway.ts";
import type { GatewaySessions } from "./gateway_sessions.ts";
import { applyGatewayFault, GATEWAY_KINDS, observeGateway } from "./faults_gateway.ts";
import {
  applyRestFault,
  REST_KINDS,
  restFaultAnswer,
  type RestFaultContext,
} from "./faults_rest.ts";
import type { Random } from "./random.ts";
import type { RestWatch } from "./rest_watch.ts";
import type { World } from "./state.ts";

/** Every fault kind. */
export type FaultKind =
  | "gateway_drop"
  | "zombie"
  | "reconnect"
  | "invalid_session"
  | "token_revoked"
  | "rate_limit"
  | "server_error"
  | "latency"
  | "stall";

/** What `POST /_sandbox/faults` takes. Fields apply to the kinds named. */
export interface FaultInput {
  kind: FaultKind;
  /** How long the fault lasts (REST faults, token_revoked), in ms. */
  durationMs?: number;
  /** Gateway faults: only this session (default: every connected session). */
  sessionId?: string;
  /** gateway_drop: close with this code instead of cutting the TCP connection. */
  code?: number;
  /** zombie: cut the TCP connection this long after it went silent (default 3 heartbeat intervals). */
  severAfterMs?: number;
  /** reconnect: close the connection this long after op 7 if the client has not (default 5000). */
  closeAfterMs?: number;
  /** invalid_session: the `d` of op 9 (default false: the session is invalidated). */
  resumable?: boolean;
  /**
   * REST faults: which requests, e.g. "POST /channels/{channel.id}/messages" (a route as the
   * sandbox names it), "/interactions" (a path prefix) or "PATCH /channels" (method and
   * prefix); default every route.
   */
  route?: string;
  /** rate_limit: "user" (default), "shared" (per resource) or "global". */
  scope?: "user" | "shared" | "global";
  /** rate_limit: retry_after in ms (default: until the fault ends). */
  retryAfterMs?: number;
  /** rate_limit with scope "shared": the X-RateLimit-Reset-After sent along, in ms. */
  resetAfterMs?: number;
  /** server_error: 500 (default), 502, 503 or 504. */
  status?: number;
  /** server_error: the share of matching requests that fail, 0 to 1 (default 1). */
  fraction?: number;
  /** latency: added delay in ms (default 500), plus up to `jitterMs`. */
  latencyMs?: number;
  jitterMs?: number;
}

/** Something a client did after the fault. */
export interface FaultReaction {
  at: number;
  /** Milliseconds since the fault started. */
  afterMs: number;
  what: string;
}

/** A fault and its story. */
export interface FaultRecord {
  id: string;
  kind: FaultKind;
  params: Omit<FaultInput, "kind">;
  startedAt: number;
  /** When a timed fault ends (null: ends with the connection or on DELETE). */
  endsAt: number | null;
  endedAt: number | null;
  active: boolean;
  /** What the sandbox did. */
  applied: string[];
  /** What the client did about it, in order. */
  reactions: FaultReaction[];
  /** One word for what the client did: "resumed", "re-identified", "retried", ... (null: nothing yet). */
  outcome: string | null;
  counts: Record<string, number>;
}

/** The registry. */
export interface Faults {
  /** Checks and applies a fault, or says why not (400: bad input, 409: nothing to act on). */
  inject(input: unknown): FaultRecord | { status: 400 | 409; message: string };
  /** Ends a fault early. */
  end(id: string): FaultRecord | undefined;
  /** Ends every active fault. */
  clear(): void;
  list(): { active: FaultRecord[]; history: FaultRecord[] };
  /** REST hook: an answer in place of the real one (429, 5xx, a stall), after any added latency. */
  beforeRest(context: RestFaultContext): Promise<Response | undefined>;
  close(): void;
}

/** Kept records (oldest dropped first). */
const KEEP = 100;
const MAX_REACTIONS = 200;
const MAX_APPLIED = 50;

/** Internal handle of a record, shared with `faults_gateway.ts` and `faults_rest.ts`. */
export interface FaultHandle {
  record: FaultRecord;
  input: FaultInput;
  note(what: string): void;
  react(what: string): void;
  count(key: string, by?: number): void;
  /** Sets the outcome once (later calls are ignored unless `force`). */
  outcome(word: string, force?: boolean): void;
  /** Runs `fn` at the end of the fault (or now, if it has ended). */
  onEnd(fn: () => void): void;
  /** A timer cleared when the registry closes. */
  later(ms: number, fn: () => void): void;
  end(): void;
}

/** Everything faults act on. */
export interface FaultDeps {
  world: World;
  gateway: Gateway;
  sessions: GatewaySessions;
  watch: RestWatch;
  random: Random;
  heartbeatIntervalMs: number;
}

const KINDS: FaultKind[] = [...GATEWAY_KINDS, ...REST_KINDS];

/** Creates the registry. */
export function createFaults(deps: FaultDeps): Faults {
  const { world } = deps;
  const handles = new Map<string, FaultHandle>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let nextId = 1;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    timers.add(timer);
  };

  const create = (input: FaultInput): FaultHandle => {
    const now = world.now();
    const { kind, ...params } = input;
    const record: FaultRecord = {
      id: String(nextId++),
      kind,
      params,
      startedAt: now,
      endsAt: input.durationMs !== undefined ? now + input.durationMs : null,
      endedAt: null,
      active: true,
      applied: [],
      reactions: [],
      outcome: null,
      counts: {},
    };
    const endHooks: (() => void)[] = [];
    const handle: FaultHandle = {
      record,
      input,
      note(what) {
        if (record.applied.length < MAX_APPLIED) record.applied.push(what);
      },
      react(what) {
        const at = world.now();
        if (record.reactions.length < MAX_REACTIONS) {
          record.reactions.push({ at, afterMs: at - record.startedAt, what });
        }
      },
      count(key, by = 1) {
        record.counts[key] = (record.counts[key] ?? 0) + by;
      },
      outcome(word, force = false) {
        if (record.outcome === null || force) record.outcome = word;
      },
      onEnd(fn) {
        if (record.active) endHooks.push(fn);
        else fn();
      },
      later,
      end() {
        if (!record.active) return;
        record.active = false;
        record.endedAt = world.now();
        for (const fn of endHooks.splice(0)) {
          try {
            fn();
          } catch (error) {
            world.log("error", "Ending a fault failed", { id: record.id, error: String(error) });
          }
        }
        world.log("info", "Fault ended", { id: record.id, kind: record.kind });
        world.feed.notify();
      },
    };
    handles.set(record.id, handle);
    while (handles.size > KEEP) {
      const oldest = [...handles.values()].find((h) => !h.record.active);
      if (!oldest) break;
      handles.delete(oldest.record.id);
    }
    if (record.endsAt !== null) later(record.endsAt - now, () => handle.end());
    return handle;
  };

  const active = () => [...handles.values()].filter((h) => h.record.active);

  observeGateway(deps, () => [...handles.values()]);
  deps.watch.onRetry((observation) => {
    const handle = observation.faultId ? handles.get(observation.faultId) : undefined;
    if (!handle) return;
    const text = `${observation.method} ${observation.path}: next request after ` +
      `${observation.waitedMs} ms (Retry-After ${observation.retryAfterMs} ms)`;
    if (observation.early) {
      handle.count("early");
      handle.react(`${text}: EARLY by ${observation.retryAfterMs - observation.waitedMs} ms`);
      handle.outcome("retried early", true);
    } else {
      handle.count("retriedAfterRetryAfter");
      handle.react(`${text}: waited`);
      handle.outcome("retried after Retry-After");
    }
  });

  return {
    inject(raw) {
      const checked = checkInput(raw);
      if (typeof checked === "string") return { status: 400, message: checked };
      if (GATEWAY_KINDS.includes(checked.kind)) {
        const targets = deps.gateway.connectionsOf(checked.sessionId);
        if (checked.kind !== "token_revoked" && targets.length === 0) {
          return {
            status: 409,
            message: checked.sessionId
              ? `No open gateway connection holds session "${checked.sessionId}"`
              : "No bot session is connected to the gateway",
          };
        }
      }
      const handle = create(checked);
      world.log("warn", "Fault injected", { id: handle.record.id, kind: checked.kind });
      if (GATEWAY_KINDS.includes(checked.kind)) applyGatewayFault(deps, handle);
      else applyRestFault(deps, handle);
      world.feed.notify();
      return handle.record;
    },
    end(id) {
      const handle = handles.get(id);
      if (
        handle?.record.active && handle.record.endsAt !== null &&
        deps.world.now() < handle.record.endsAt
      ) {
        deps.watch.forget(id);
      }
      handle?.end();
      return handle?.record;
    },
    clear() {
      for (const handle of active()) handle.end();
    },
    list() {
      const all = [...handles.values()].map((h) => h.record);
      return { active: all.filter((r) => r.active), history: all };
    },
    async beforeRest(context) {
      for (const handle of active()) {
        if (!REST_KINDS.includes(handle.record.kind)) continue;
        const answer = await restFaultAnswer(deps, handle, context);
        if (answer) return answer;
      }
      return undefined;
    },
    close() {
      for (const handle of active()) handle.end();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

function checkInput(raw: unknown): FaultInput | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return "Expected a JSON object {kind, ...}";
  }
  const input = raw as Record<string, unknown>;
  if (!KINDS.includes(input.kind as FaultKind)) {
    return `Unknown fault kind ${JSON.stringify(input.kind)} (kinds: ${KINDS.join(", ")})`;
  }
  const numbers: [string, number, number][] = [
    ["durationMs", 1, 3_600_000],
    ["code", 1000, 4999],
    ["severAfterMs", 0, 600_000],
    ["closeAfterMs", 0, 600_000],
    ["retryAfterMs", 1, 3_600_000],
    ["resetAfterMs", 0, 3_600_000],
    ["status", 500, 599],
    ["fraction", 0, 1],
    ["latencyMs", 0, 120_000],
    ["jitterMs", 0, 120_000],
  ];
  for (const [key, min, max] of numbers) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      return `"${key}" must be a number from ${min} to ${max}`;
    }
  }
  if (input.code !== undefined && input.code !== 1000 && (input.code as number) < 3000) {
    return `"code" must be 1000 or from 3000 to 4999 (what a WebSocket close frame may carry)`;
  }
  for (const key of ["sessionId", "route"]) {
    if (input[key] !== undefined && typeof input[key] !== "string") {
      return `"${key}" must be a string`;
    }
  }
  if (input.resumable !== undefined && typeof input.resumable !== "boolean") {
    return `"resumable" must be true or false`;
  }
  if (input.scope !== undefined && !["user", "shared", "global"].includes(input.scope as string)) {
    return `"scope" must be "user", "shared" or "global"`;
  }
  if (input.status !== undefined && ![500, 502, 503, 504].includes(input.status as number)) {
    return `"status" must be 500, 502, 503 or 504`;
  }
  const known = new Set([
    "kind",
    ...numbers.map(([k]) => k),
    "sessionId",
    "route",
    "resumable",
    "scope",
  ]);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length) return `Unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")}`;
  if (REST_KINDS.includes(input.kind as FaultKind) && input.durationMs === undefined) {
    input.durationMs = 5000;
  }
  if (input.kind === "token_revoked" && input.durationMs === undefined) input.durationMs = 10_000;
  return input as unknown as FaultInput;
}
