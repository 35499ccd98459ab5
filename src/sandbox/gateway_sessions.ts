/**
 * Gateway sessions: each has its own sequence numbers and a bounded buffer of dispatches so a
 * dropped connection can RESUME and get what it missed. A session outlives its connection for
 * a few minutes (Discord: "the session will remain active and timeout after a few minutes"),
 * except when the client closes with 1000 or 1001, which invalidates it.
 *
 * @module
 */
import type { SandboxSessionInfo } from "./types.ts";

/** How long a disconnected session stays resumable. */
export const RESUME_WINDOW_MS = 3 * 60 * 1000;
/** How many dispatches a session keeps for replay. */
export const DISPATCH_BUFFER_SIZE = 1000;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The text of a buffered dispatch, to send again on RESUME. */
export function bufferedText(entry: { utf8: Uint8Array }): string {
  return fromUtf8.decode(entry.utf8);
}

/** Gateway intents the sandbox acts on. */
export const Intents = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  MESSAGE_CONTENT: 1 << 15,
} as const;

/** Where a session's dispatches go while it is connected. */
export interface SessionSink {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** One gateway session. */
export interface GatewaySession {
  readonly id: string;
  readonly intents: number;
  readonly shard: [number, number];
  /** Whether IDENTIFY named a shard (READY then echoes it). */
  readonly shardSent: boolean;
  seq: number;
  /**
   * The last dispatches, as UTF-8 (see {@link GatewaySessions.dispatch}); {@link bufferedText}
   * gives one back as text.
   */
  buffer: { s: number; utf8: Uint8Array }[];
  sink: SessionSink | null;
  disconnectedAt: number | null;
  invalidated: boolean;
}

/** The session registry. */
export interface GatewaySessions {
  create(input: { intents: number; shard?: [number, number] }): GatewaySession;
  /** A session that can still be resumed (connected or recently dropped), or undefined. */
  resumable(id: string): GatewaySession | undefined;
  /** Sends a dispatch (op 0) to one session, buffering it for RESUME. */
  dispatch(session: GatewaySession, t: string, d: unknown): void;
  /** Sends a dispatch to every live session whose shard owns `guildId` and has `intent` (0 = none needed). */
  dispatchToGuild(
    guildId: string,
    t: string,
    d: unknown | ((session: GatewaySession) => unknown),
    intent?: number,
  ): number;
  /** Whether any live session would receive events for `guildId`. */
  hasLiveSession(guildId: string): boolean;
  invalidate(session: GatewaySession): void;
  list(): SandboxSessionInfo[];
}

/** The shard a guild's events go to: `(guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(Math.max(1, shardCount)));
}

/** Creates an empty registry. */
export function createGatewaySessions(now: () => number): GatewaySessions {
  const sessions = new Map<string, GatewaySession>();

  const live = (s: GatewaySession) =>
    !s.invalidated &&
    (s.sink !== null || (s.disconnectedAt !== null && now() - s.disconnectedAt < RESUME_WINDOW_MS));

  const prune = () => {
    for (const [id, s] of sessions) if (!live(s)) sessions.delete(id);
  };

  const dispatch = (session: GatewaySession, t: string, d: unknown) => {
    session.seq += 1;
    const text = JSON.stringify({ op: 0, t, s: session.seq, d });
    // Kept as bytes outside V8's heap: at 2,000 interactions/s a buffered string (a few KB,
    // two bytes a character once a board has an emoji) lived long enough to be copied twice by
    // the young generation's collections and then promoted, half of all the load generator
    // promoted, and its collections paused for 11–29 ms (docs/DECISIONS.md D37).
    session.buffer.push({ s: session.seq, utf8: utf8.encode(text) });
    if (session.buffer.length > DISPATCH_BUFFER_SIZE) session.buffer.shift();
    session.sink?.send(text);
  };

  const forGuild = (guildId: string) =>
    [...sessions.values()].filter((s) => live(s) && shardOf(guildId, s.shard[1]) === s.shard[0]);

  return {
    create(input) {
      prune();
      const session: GatewaySession = {
        id: [...crypto.getRandomValues(new Uint8Array(16))].map((b) =>
          b.toString(16).padStart(2, "0")
        ).join(""),
        intents: input.intents,
        shard: input.shard ?? [0, 1],
        shardSent: input.shard !== undefined,
        seq: 0,
        buffer: [],
        sink: null,
        disconnectedAt: null,
        invalidated: false,
      };
      sessions.set(session.id, session);
      return session;
    },
    resumable(id) {
      const session = sessions.get(id);
      return session && live(session) ? session : undefined;
    },
    dispatch,
    dispatchToGuild(guildId, t, d, intent = 0) {
      let count = 0;
      for (const session of forGuild(guildId)) {
        if (intent !== 0 && (session.intents & intent) === 0) continue;
        dispatch(session, t, typeof d === "function" ? d(session) : d);
        count++;
      }
      return count;
    },
    hasLiveSession: (guildId) => forGuild(guildId).length > 0,
    invalidate(session) {
      session.invalidated = true;
      sessions.delete(session.id);
    },
    list() {
      prune();
      return [...sessions.values()].map((s) => ({
        id: s.id,
        connected: s.sink !== null,
        resumable: live(s),
        seq: s.seq,
        intents: s.intents,
        shard: s.shard,
      }));
    },
  };
}
