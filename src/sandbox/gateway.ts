/**
 * The Gateway (v10, JSON, uncompressed) over `Deno.upgradeWebSocket`: HELLO, heartbeats,
 * IDENTIFY → READY + GUILD_CREATE, RESUME with replay, and Discord's close codes for every
 * misstep (4001 unknown opcode, 4002 decode error, 4003 not authenticated, 4004 bad token,
 * 4005 already authenticated, 4007 bad seq, 4008 rate limited, 4009 session timed out,
 * 4010 bad shard, 4012 bad version, 4013 bad intents, 4014 disallowed intents).
 *
 * It reports what clients do as {@link GatewayEvent}s (fault records are built from them)
 * and offers the primitives faults act with (`connectionsOf`, `send`, `closeConnection`).
 * A connection reached through the relay (`gateway_proxy.ts`) carries its `link`, so a
 * fault can swallow or cut it like a network would.
 *
 * @module
 */
import {
  checkIdentify,
  checkResume,
  guildsOfSession,
  readyPayload,
  type Refusal,
  TRACE,
} from "./gateway_handshake.ts";
import type { RelayLink } from "./gateway_proxy.ts";
import {
  bufferedText,
  type GatewaySession,
  type GatewaySessions,
  Intents,
} from "./gateway_sessions.ts";
import { guildCreateObject, type World } from "./state.ts";

/** Payloads a client may send per minute before Discord disconnects it (4008). */
const SEND_LIMIT_PER_MINUTE = 120;
/** Largest payload a client may send, in bytes (larger: 4002). */
const MAX_PAYLOAD_BYTES = 4096;
/**
 * How late a heartbeat may be, as a multiple of the interval. Discord's docs say only that a
 * client which "fails to send a heartbeat event in time" is disconnected and must resume; the
 * close code they list for that case is 4009 "Session timed out". We close with 4009 but keep
 * the session resumable for RESUME_WINDOW_MS, so clients that resume and clients that
 * re-identify on 4009 (as discordeno does) both recover.
 */
const HEARTBEAT_GRACE = 1.5;

/** Something a client did (or was done to it), as the fault records tell it. */
export type GatewayEvent =
  & { at: number; connection: number; session?: string }
  & (
    | { type: "open"; relayed: boolean }
    | { type: "identify" }
    | { type: "resume"; fromSeq: number; replayed: number }
    | { type: "resume_refused"; reason: string }
    | { type: "client_close"; code: number }
    | { type: "server_close"; code: number; reason: string }
    | { type: "competing"; sockets: number; sessions: number }
  );

/** One gateway connection. */
export interface GatewayConnection {
  readonly id: number;
  readonly socket: WebSocket;
  /** The relayed TCP link, when the client came through the relay. */
  readonly link?: RelayLink;
  session: GatewaySession | null;
  /** The last session this connection authenticated with (kept after invalidation). */
  sessionId: string | null;
  /** While true the server neither ACKs heartbeats nor sends dispatches on it. */
  zombie: boolean;
  closedByServer: boolean;
  /** Closed, from the server's side. */
  ended: boolean;
}

/** Counters about connections, for `state()`. */
export interface GatewayStats {
  identifies: number;
  resumes: number;
  /**
   * Times a connection authenticated while another live socket (open, not zombied) held the
   * same session, or while another session of the same shard was live: two sockets competing.
   */
  competingSockets: number;
  /** The most live sockets one session ever had at once. */
  maxSocketsPerSession: number;
  /** The most live sessions one shard ever had at once (a healthy bot: 1). */
  maxSessionsPerShard: number;
  /** Open connections now. */
  open: number;
}

/** The gateway. */
export interface Gateway {
  /** Upgrades a request to `/gateway` into a gateway connection; `remotePort` finds its relay link. */
  upgrade(request: Request, url: URL, remotePort?: number): Response;
  /** IDENTIFYs accepted so far (feeds session_start_limit.remaining). */
  readonly identifies: number;
  stats(): GatewayStats;
  /** Live sockets per session id (open, not zombied). */
  socketsBySession(): Map<string, number>;
  /** Open connections attached to `sessionId`, or to any session when undefined. */
  connectionsOf(sessionId?: string): GatewayConnection[];
  /** Sends a payload (op 7, op 9, ...) on a connection unless it is a zombie. */
  send(connection: GatewayConnection, payload: Record<string, unknown>): void;
  /** Closes a connection with a WebSocket close frame; a relayed zombie is cut instead. */
  closeConnection(connection: GatewayConnection, code: number, reason: string): void;
  onEvent(listener: (event: GatewayEvent) => void): void;
  /** Closes every connection (1001) and waits for the sockets to finish closing. */
  close(): Promise<void>;
}

interface Connection extends GatewayConnection {
  sink: { send(text: string): void; close(code: number, reason: string): void };
  heartbeatTimer?: ReturnType<typeof setTimeout>;
  windowStart: number;
  sent: number;
  closed: Promise<void>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Creates the gateway. */
export function createGateway(deps: {
  world: World;
  sessions: GatewaySessions;
  heartbeatIntervalMs: number;
  gatewayUrl: () => string;
  /** Finds the relay link of a connection by its remote port (the relay's upstream socket). */
  relayLink?: (port: number) => RelayLink | undefined;
}): Gateway {
  const { world, sessions } = deps;
  const connections = new Set<Connection>();
  const listeners: ((event: GatewayEvent) => void)[] = [];
  let nextId = 1;
  const stats = {
    identifies: 0,
    resumes: 0,
    competingSockets: 0,
    maxSocketsPerSession: 0,
    maxSessionsPerShard: 0,
  };

  const emit = (c: Connection, event: Record<string, unknown> & { type: string }) => {
    const full = {
      at: world.now(),
      connection: c.id,
      ...(c.sessionId ? { session: c.sessionId } : {}),
      ...event,
    } as GatewayEvent;
    for (const listener of listeners) {
      try {
        listener(full);
      } catch (error) {
        world.log("error", "Gateway event listener failed", { error: String(error) });
      }
    }
  };

  const live = (c: Connection) => !c.ended && !c.zombie;

  const send = (c: Connection, payload: Record<string, unknown>) => {
    if (!c.zombie && c.socket.readyState === WebSocket.OPEN) c.socket.send(JSON.stringify(payload));
  };

  const detach = (c: Connection) => {
    const session = c.session;
    if (session && session.sink === c.sink) {
      session.sink = null;
      session.disconnectedAt = world.now();
    }
  };

  const close = (c: Connection, code: number, reason: string) => {
    if (c.closedByServer) return;
    c.closedByServer = true;
    c.ended = true;
    clearTimeout(c.heartbeatTimer);
    detach(c);
    world.log(code >= 4000 ? "warn" : "debug", "Gateway closed a connection", {
      code,
      reason,
      session: c.session?.id,
    });
    emit(c, { type: "server_close", code, reason });
    try {
      c.socket.close(code, reason);
    } catch {
      // Already closing.
    }
  };

  const armHeartbeat = (c: Connection) => {
    clearTimeout(c.heartbeatTimer);
    c.heartbeatTimer = setTimeout(
      () => close(c, 4009, "Session timed out."),
      deps.heartbeatIntervalMs * HEARTBEAT_GRACE,
    );
  };

  const attach = (c: Connection, session: GatewaySession) => {
    const holders = [...connections].filter((o) =>
      o !== c && o.sessionId === session.id && live(o)
    );
    const sockets = holders.length + 1;
    const shard = (o: GatewaySession) => `${o.shard[0]}/${o.shard[1]}`;
    const onShard = new Set([session.id]);
    for (const o of connections) {
      if (o !== c && live(o) && o.session && !o.session.invalidated) {
        if (shard(o.session) === shard(session)) onShard.add(o.session.id);
      }
    }
    stats.maxSocketsPerSession = Math.max(stats.maxSocketsPerSession, sockets);
    stats.maxSessionsPerShard = Math.max(stats.maxSessionsPerShard, onShard.size);
    c.session = session;
    c.sessionId = session.id;
    if (holders.length > 0 || onShard.size > 1) {
      stats.competingSockets++;
      world.log(
        "warn",
        "Gateway: two live sockets compete (same session, or two sessions of one shard)",
        {
          session: session.id,
          sockets,
          sessions: onShard.size,
        },
      );
      emit(c, { type: "competing", sockets, sessions: onShard.size });
    }
    if (session.sink && session.sink !== c.sink) session.sink.close(4000, "Unknown error.");
    session.sink = c.sink;
    session.disconnectedAt = null;
  };

  const refuse = (c: Connection, refusal: Refusal) => close(c, ...refusal.close);

  const identify = (c: Connection, d: unknown) => {
    if (c.session) return close(c, 4005, "Already authenticated.");
    const checked = checkIdentify(
      d,
      (token) => world.isValidToken(token),
      world.settings.privilegedIntents,
    );
    if ("close" in checked) return refuse(c, checked);
    stats.identifies++;
    const session = sessions.create(checked);
    attach(c, session);
    emit(c, { type: "identify" });
    sessions.dispatch(session, "READY", readyPayload(world, session, deps.gatewayUrl()));
    world.log("info", "Gateway session identified", {
      session: session.id,
      intents: session.intents,
      shard: session.shard,
    });
    // GUILD_CREATE belongs to the GUILDS intent: without it Discord sends none.
    if ((session.intents & Intents.GUILDS) === 0) return;
    const allMembers = (session.intents & Intents.GUILD_PRESENCES) !== 0;
    for (const guild of guildsOfSession(world, session)) {
      sessions.dispatch(session, "GUILD_CREATE", guildCreateObject(world, guild, allMembers));
    }
  };

  const resume = (c: Connection, d: unknown) => {
    if (c.session) return close(c, 4005, "Already authenticated.");
    const checked = checkResume(d, (token) => world.isValidToken(token), sessions);
    if ("close" in checked) return refuse(c, checked);
    if ("invalidSession" in checked) {
      const named = isObject(d) && typeof d.session_id === "string" ? d.session_id : undefined;
      if (named) c.sessionId = named;
      emit(c, { type: "resume_refused", reason: "unknown, expired or invalidated session" });
      return send(c, { op: 9, d: false, s: null, t: null });
    }
    const { session, seq } = checked;
    stats.resumes++;
    attach(c, session);
    let replayed = 0;
    for (const entry of session.buffer) {
      if (entry.s > seq) {
        c.sink.send(bufferedText(entry));
        replayed++;
      }
    }
    emit(c, { type: "resume", fromSeq: seq, replayed });
    sessions.dispatch(session, "RESUMED", { _trace: TRACE });
    world.log("info", "Gateway session resumed", {
      session: session.id,
      from: seq,
      to: session.seq,
    });
  };

  const receive = (c: Connection, data: unknown) => {
    if (c.closedByServer) return;
    if (typeof data !== "string" || new TextEncoder().encode(data).length > MAX_PAYLOAD_BYTES) {
      return close(c, 4002, "Decode error.");
    }
    const now = world.now();
    if (now - c.windowStart >= 60_000) {
      c.windowStart = now;
      c.sent = 0;
    }
    if (++c.sent > SEND_LIMIT_PER_MINUTE) return close(c, 4008, "Rate limited.");
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return close(c, 4002, "Decode error.");
    }
    if (!isObject(payload) || typeof payload.op !== "number") {
      return close(c, 4002, "Decode error.");
    }
    switch (payload.op) {
      case 1:
        armHeartbeat(c);
        // A zombie connection swallows heartbeats: no ACK.
        return send(c, { op: 11, d: null, s: null, t: null });
      case 2:
        return identify(c, payload.d);
      case 6:
        return resume(c, payload.d);
      case 3: // presence update
      case 4: // voice state update
      case 8: // request guild members
      case 31: // request soundboard sounds
      case 43: // request channel info
        // Accepted but not simulated yet.
        if (!c.session) return close(c, 4003, "Not authenticated.");
        return;
      default:
        return close(c, 4001, "Unknown opcode.");
    }
  };

  return {
    upgrade(request, url, remotePort) {
      const { socket, response } = Deno.upgradeWebSocket(request);
      let resolveClosed = () => {};
      const c: Connection = {
        id: nextId++,
        socket,
        link: remotePort === undefined ? undefined : deps.relayLink?.(remotePort),
        session: null,
        sessionId: null,
        zombie: false,
        sink: { send: () => {}, close: () => {} },
        windowStart: world.now(),
        sent: 0,
        closedByServer: false,
        ended: false,
        closed: new Promise((resolve) => (resolveClosed = resolve)),
      };
      c.sink = {
        send: (text) => {
          if (!c.zombie && socket.readyState === WebSocket.OPEN) socket.send(text);
        },
        close: (code, reason) => close(c, code, reason),
      };
      connections.add(c);
      socket.onopen = () => {
        emit(c, { type: "open", relayed: c.link !== undefined });
        const compress = url.searchParams.get("compress");
        if (url.searchParams.get("v") !== "10") return close(c, 4012, "Invalid API version.");
        // The sandbox speaks JSON only: no ETF, no transport compression.
        if ((url.searchParams.get("encoding") ?? "json") !== "json" || compress) {
          world.log(
            "warn",
            "Gateway refused a connection: only encoding=json without compression is supported",
            { encoding: url.searchParams.get("encoding"), compress },
          );
          return close(c, 4002, "Decode error.");
        }
        send(c, {
          op: 10,
          d: { heartbeat_interval: deps.heartbeatIntervalMs, _trace: TRACE },
          s: null,
          t: null,
        });
        armHeartbeat(c);
      };
      socket.onmessage = (event) => {
        try {
          receive(c, event.data);
        } catch (error) {
          world.log("error", "Gateway failed to handle a payload", { error: String(error) });
          close(c, 4000, "Unknown error.");
        }
      };
      socket.onerror = () => world.log("debug", "Gateway socket error", { session: c.session?.id });
      socket.onclose = (event) => {
        clearTimeout(c.heartbeatTimer);
        const byClient = !c.closedByServer;
        c.ended = true;
        detach(c);
        if (byClient) emit(c, { type: "client_close", code: event.code });
        // A client closing with 1000/1001 ends its session; any other code keeps it resumable.
        if (byClient && c.session && (event.code === 1000 || event.code === 1001)) {
          sessions.invalidate(c.session);
        }
        connections.delete(c);
        resolveClosed();
      };
      return response;
    },
    get identifies() {
      return stats.identifies;
    },
    stats: () => ({ ...stats, open: connections.size }),
    socketsBySession() {
      const counts = new Map<string, number>();
      for (const c of connections) {
        if (c.sessionId && live(c)) counts.set(c.sessionId, (counts.get(c.sessionId) ?? 0) + 1);
      }
      return counts;
    },
    connectionsOf: (sessionId) =>
      [...connections].filter((c) =>
        !c.ended && c.session !== null && (sessionId === undefined || c.session.id === sessionId)
      ),
    send: (connection, payload) => send(connection as Connection, payload),
    closeConnection(connection, code, reason) {
      const c = connection as Connection;
      if (c.link?.blackholed) {
        // Nothing gets through a zombie link: cut it, as a network timeout eventually would.
        close(c, code, reason);
        c.link.sever();
        return;
      }
      close(c, code, reason);
    },
    onEvent: (listener) => void listeners.push(listener),
    async close() {
      const all = [...connections];
      for (const c of all) {
        close(c, 1001, "Sandbox shutting down.");
        c.link?.sever();
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(all.map((c) => c.closed)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
      ]);
      clearTimeout(timer);
    },
  };
}
