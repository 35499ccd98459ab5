/**
 * The connection to Discord through discordeno: REST for requests and the Gateway for
 * events. Raw (snake_case) dispatches are handed to `onDispatch`; nothing here knows the game.
 *
 * Deliberate deviations from discordeno 21.0.0's defaults (see docs/DECISIONS.md):
 * - discordeno treats any base URL other than discord.com as a "proxy" and then bypasses its
 *   request queue and rate-limit handling; we clear `isProxied` so the sandbox and a real
 *   proxy exercise the same code path as Discord itself.
 * - a fatal gateway close (4004 bad token, 4010-4014) makes discordeno throw from inside a
 *   socket callback; we intercept it per shard and report it as {@link TokenRejectedError}
 *   or {@link GatewayFatalError} instead of an unhandled rejection.
 * - `rest.sendRequest` is replaced (`rest_send.ts`): 429s wait for Retry-After, a Cloudflare
 *   ban fails fast, and every attempt has a deadline.
 * - a zombie connection (no heartbeat ACK) is let go of at once instead of waiting for a
 *   close handshake that may never come and that, when it does, makes 21.0.0 resume twice
 *   with two competing sockets.
 */
import {
  createGatewayManager,
  createRestManager,
  type DiscordenoShard,
  type GatewayManager,
  type RestManager,
  ShardSocketCloseCodes,
  ShardState,
} from "@discordeno/bot";
import type { Logger } from "../log.ts";
import type { GatewayStatus } from "../ops/health.ts";
import { installRestSend, type RestLoad } from "./rest_send.ts";
import {
  causeOf,
  describeDiscordFailure,
  DiscordUnreachableError,
  GatewayFatalError,
  TokenRejectedError,
} from "./errors.ts";

export { DiscordUnreachableError, GatewayFatalError, TokenRejectedError } from "./errors.ts";

const FATAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);
/** A heartbeat unacknowledged for longer than this counts as a failing heartbeat. */
const HEARTBEAT_ACK_GRACE_MS = 5000;
/** Default deadline of one REST attempt. */
export const DEFAULT_REST_TIMEOUT_MS = 15_000;
/** How long discordeno keeps an idle REST route queue before deleting it (its default: 60 s). */
export const REST_QUEUE_IDLE_MS = 5_000;

/** Options for {@link createDiscordConnection}. */
export interface DiscordConnectionOptions {
  token: string;
  /** REST base URL without the version, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /** Gateway URL; undefined: asked from `GET /gateway/bot`. */
  gatewayUrl?: string;
  intents?: number;
  /** Deadline of one REST attempt in ms (default {@link DEFAULT_REST_TIMEOUT_MS}). */
  restTimeoutMs?: number;
  /** Requests in flight at once, at most (default: `DEFAULT_MAX_IN_FLIGHT` of rest_send.ts). */
  restMaxInFlight?: number;
  /** How long an idle REST route queue is kept, in ms (default {@link REST_QUEUE_IDLE_MS}). */
  restQueueIdleMs?: number;
  logger: Logger;
  /** Every dispatch (op 0) as Discord sent it. */
  onDispatch: (payload: { t: string; s: number; d: unknown }) => void;
  /** A fatal close after start: the app decides how to stop. */
  onFatal: (error: Error) => void;
}

/** A live Discord connection. */
export interface DiscordConnection extends GatewayStatus {
  readonly rest: RestManager;
  /** The bot user's id and the application id, once started. */
  readonly applicationId: string;
  readonly botUserId: string;
  /** REST requests in flight now and waiting for a slot. */
  restLoad(): RestLoad;
  /** Checks the token, then connects the gateway and resolves on READY. */
  start(timeoutMs?: number): Promise<{ username: string }>;
  stop(): Promise<void>;
}

/**
 * One log line from what discordeno logs: errors and socket events by their message (a failed
 * reconnect used to print the whole ErrorEvent, 40 lines with the WebSocket twice), anything
 * else inspected on one line.
 */
export function logText(args: unknown[]): string {
  return args.map((a) => {
    if (typeof a === "string") return a;
    if (a instanceof Error) return `${a.name}: ${a.message}`;
    if (a instanceof ErrorEvent) {
      return `WebSocket error: ${
        a.message || (a.error as Error | undefined)?.message || "unknown"
      }`;
    }
    if (a instanceof CloseEvent) {
      return `WebSocket closed with code ${a.code}${a.reason ? ` (${a.reason})` : ""}`;
    }
    return Deno.inspect(a, { compact: true, breakLength: Infinity, depth: 3 });
  }).join(" ");
}

/**
 * discordeno's logger, on top of ours. The text is built only when the level is on: discordeno
 * logs at debug on every request, and when one of its REST queues is deleted it passes every
 * queue's name, which `Deno.inspect` turned into one long string per deletion though nothing
 * was written (docs/DECISIONS.md D28).
 */
export function discordenoLogger(logger: Logger) {
  const at = (level: "debug" | "warning" | "error" | "fatal") => (...args: unknown[]) => {
    if (!logger.isEnabledFor(level)) return;
    const line = { text: logText(args) };
    if (level === "debug") logger.debug("{text}", line);
    else if (level === "warning") logger.warn("{text}", line);
    else if (level === "error") logger.error("{text}", line);
    else logger.fatal("{text}", line);
  };
  return {
    debug: at("debug"),
    info: at("debug"),
    warn: at("warning"),
    error: at("error"),
    fatal: at("fatal"),
  };
}

/** Creates the connection; nothing is sent until `start()`. */
export function createDiscordConnection(options: DiscordConnectionOptions): DiscordConnection {
  const logger = discordenoLogger(options.logger);
  const rest = createRestManager({
    token: options.token,
    proxy: { baseUrl: options.apiUrl },
    logger,
  });
  rest.isProxied = false;
  // discordeno keeps a queue per route for 60 s after its last request, and every interaction
  // token is a route of its own (its original response, its follow-ups): opening 5,000 games
  // left 4,500 queues with their timers, about 1 KB each, for that minute. Rate-limit holds are
  // kept apart from the queues (`rateLimitedPaths`), and a queue made again learns its bucket
  // from the next response, so a short delay loses nothing (docs/DECISIONS.md D28).
  rest.deleteQueueDelay = options.restQueueIdleMs ?? REST_QUEUE_IDLE_MS;
  const restLoad = installRestSend(rest, {
    timeoutMs: options.restTimeoutMs ?? DEFAULT_REST_TIMEOUT_MS,
    maxInFlight: options.restMaxInFlight,
    logger: options.logger,
  });
  let gateway: GatewayManager | undefined;
  let ready = false;
  let readyWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  let applicationId = "";
  let botUserId = "";
  let stopping = false;

  const shard = (): DiscordenoShard | undefined => gateway?.shards.get(0);

  const fail = (error: Error) => {
    ready = false;
    if (readyWaiter) readyWaiter.reject(error);
    else if (!stopping) options.onFatal(error);
    readyWaiter = undefined;
  };

  const guardShard = (s: DiscordenoShard) => {
    const marked = s as DiscordenoShard & { blitzGuarded?: boolean };
    if (marked.blitzGuarded) return;
    marked.blitzGuarded = true;
    const originalClose = s.close.bind(s);
    s.close = async (code: number, reason: string) => {
      if (code !== ShardSocketCloseCodes.ZombiedConnection) {
        return await originalClose(code, reason);
      }
      // 21.0.0 awaits the close handshake of a zombie (which a dead connection never
      // completes), then resumes; if the handshake ends with any other code, handleClose
      // resumes as well and two sockets compete. Let go of the socket now instead: its late
      // events go nowhere, and the heartbeat loop resumes exactly once when this returns.
      const socket = s.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      options.logger.warn("Gateway heartbeat not acknowledged: replacing the zombie connection");
      socket.onopen = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onclose = null;
      try {
        socket.close(code, reason);
      } catch { /* already closing */ }
      s.socket = undefined;
      s.stopHeartbeating();
      s.state = ShardState.Disconnected;
      s.events.disconnected?.(s);
    };
    const original = s.handleClose.bind(s);
    s.handleClose = async (close: CloseEvent) => {
      if (FATAL_CLOSE_CODES.has(close.code)) {
        s.socket = undefined;
        s.stopHeartbeating();
        s.state = ShardState.Offline;
        fail(
          close.code === 4004
            ? new TokenRejectedError("gateway close 4004")
            : new GatewayFatalError(close.code, close.reason),
        );
        return;
      }
      await original(close);
    };
  };

  return {
    rest,
    restLoad,
    get applicationId() {
      return applicationId;
    },
    get botUserId() {
      return botUserId;
    },
    connected: () => ready && shard()?.isOpen() === true,
    heartbeatAcknowledged: () => {
      const heart = shard()?.heart;
      if (!heart) return false;
      if (heart.acknowledged || heart.lastBeat === undefined) return true;
      return Date.now() - heart.lastBeat < HEARTBEAT_ACK_GRACE_MS;
    },
    latencyMs: () => shard()?.heart.rtt,

    async start(timeoutMs = 30_000) {
      let me: { id: string; username: string };
      try {
        me = await rest.get<{ id: string; username: string }>("/users/@me");
      } catch (error) {
        if (causeOf(error)?.status === 401) {
          throw new TokenRejectedError("REST 401 Unauthorized", { cause: error });
        }
        throw new DiscordUnreachableError(options.apiUrl, describeDiscordFailure(error), {
          cause: error,
        });
      }
      botUserId = String(me.id);
      applicationId = String(rest.applicationId);
      const session = await rest.getSessionInfo();
      gateway = createGatewayManager({
        token: options.token,
        intents: options.intents ?? 1,
        connection: session,
        url: options.gatewayUrl ?? session.url,
        preferSnakeCase: true,
        spawnShardDelay: 0,
        resharding: { enabled: false, shardsFullPercentage: 80, checkInterval: -1 },
        logger,
        events: {
          connected: guardShard,
          disconnected: () => {
            ready = false;
          },
          message: (_shard, payload) => {
            if (payload.op !== 0 || !payload.t) return;
            if (payload.t === "READY" || payload.t === "RESUMED") {
              ready = true;
              readyWaiter?.resolve();
              readyWaiter = undefined;
            }
            options.onDispatch(payload as { t: string; s: number; d: unknown });
          },
        },
      });
      const readyPromise = new Promise<void>((resolve, reject) => {
        readyWaiter = { resolve, reject };
      });
      const timer = setTimeout(
        () => fail(new Error(`Discord gateway did not send READY within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      gateway.spawnShards().catch((error) => fail(error as Error));
      try {
        await readyPromise;
      } finally {
        clearTimeout(timer);
      }
      return { username: me.username };
    },

    async stop() {
      stopping = true;
      ready = false;
      if (gateway) await gateway.shutdown(1000, "Blitz is shutting down").catch(() => {});
      for (const queue of rest.queues.values()) queue.cleanup?.();
    },
  };
}
