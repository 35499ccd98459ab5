/**
 * The Gateway (v10, JSON, uncompressed) over `Deno.upgradeWebSocket`: HELLO, heartbeats,
 * IDENTIFY → READY + GUILD_CREATE, RESUME with replay, and Discord's close codes for every
 * misstep (4001 unknown opcode, 4002 decode error, 4003 not authenticated, 4004 bad token,
 * 4005 already authenticated, 4007 bad seq, 4008 rate limited, 4009 session timed out,
 * 4010 bad shard, 4012 bad version, 4013 bad intents).
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
import { type GatewaySession, type GatewaySessions, Intents } from "./gateway_sessions.ts";
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

/** The gateway. */
export interface Gateway {
  /** Upgrades a request to `/gateway` into a gateway connection. */
  upgrade(request: Request, url: URL): Response;
  /** IDENTIFYs accepted so far (feeds session_start_limit.remaining). */
  readonly identifies: number;
  /** Closes every connection (1001) and waits for the sockets to finish closing. */
  close(): Promise<void>;
}

interface Connection {
  socket: WebSocket;
  session: GatewaySession | null;
  sink: { send(text: string): void; close(code: number, reason: string): void };
  heartbeatTimer?: ReturnType<typeof setTimeout>;
  windowStart: number;
  sent: number;
  closedByServer: boolean;
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
}): Gateway {
  const { world, sessions } = deps;
  const connections = new Set<Connection>();
  let identifies = 0;

  const send = (c: Connection, payload: Record<string, unknown>) => {
    if (c.socket.readyState === WebSocket.OPEN) c.socket.send(JSON.stringify(payload));
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
    clearTimeout(c.heartbeatTimer);
    detach(c);
    world.log(code >= 4000 ? "warn" : "debug", "Gateway closed a connection", {
      code,
      reason,
      session: c.session?.id,
    });
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
    if (session.sink && session.sink !== c.sink) session.sink.close(4000, "Unknown error.");
    c.session = session;
    session.sink = c.sink;
    session.disconnectedAt = null;
  };

  const refuse = (c: Connection, refusal: Refusal) => close(c, ...refusal.close);

  const identify = (c: Connection, d: unknown) => {
    if (c.session) return close(c, 4005, "Already authenticated.");
    const checked = checkIdentify(d, world.token);
    if ("close" in checked) return refuse(c, checked);
    identifies++;
    const session = sessions.create(checked);
    attach(c, session);
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
    const checked = checkResume(d, world.token, sessions);
    if ("close" in checked) return refuse(c, checked);
    if ("invalidSession" in checked) return send(c, { op: 9, d: false, s: null, t: null });
    const { session, seq } = checked;
    attach(c, session);
    for (const entry of session.buffer) if (entry.s > seq) c.sink.send(entry.text);
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
    upgrade(request, url) {
      const { socket, response } = Deno.upgradeWebSocket(request);
      let resolveClosed = () => {};
      const c: Connection = {
        socket,
        session: null,
        sink: { send: () => {}, close: () => {} },
        windowStart: world.now(),
        sent: 0,
        closedByServer: false,
        closed: new Promise((resolve) => (resolveClosed = resolve)),
      };
      c.sink = {
        send: (text) => socket.readyState === WebSocket.OPEN && socket.send(text),
        close: (code, reason) => close(c, code, reason),
      };
      connections.add(c);
      socket.onopen = () => {
        const compress = url.searchParams.get("compress");
        if (url.searchParams.get("v") !== "10") return close(c, 4012, "Invalid API version.");
        // The sandbox speaks JSON only: no ETF, no transport compression.
        if ((url.searchParams.get("encoding") ?? "json") !== "json" || compress) {
          world.log(
            "warn",
            "Gateway refused a connection: only encoding=json without compression is supported",
            {
              encoding: url.searchParams.get("encoding"),
              compress,
            },
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
        detach(c);
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
      return identifies;
    },
    async close() {
      const all = [...connections];
      for (const c of all) close(c, 1001, "Sandbox shutting down.");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(all.map((c) => c.closed)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
      ]);
      clearTimeout(timer);
    },
  };
}
