/**
 * The gateway handshake as pure decisions: whether an IDENTIFY or RESUME is acceptable (and
 * which close code refuses it), and the READY payload. The socket code in `gateway.ts` acts
 * on the result.
 *
 * @module
 */
import type { GatewaySession, GatewaySessions } from "./gateway_sessions.ts";
import { shardOf } from "./gateway_sessions.ts";
import type { GuildRecord } from "./seed.ts";
import { ALL_PRIVILEGED_INTENTS } from "./settings.ts";
import type { World } from "./state.ts";

/** Every intent bit Discord defines; anything else is refused with 4013. */
export const KNOWN_INTENTS = ((1 << 17) - 1) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25);
/** The `_trace` Discord puts in HELLO, READY and RESUMED (debugging aid, opaque to clients). */
export const TRACE = ['["blitz-sandbox-gateway",{"micros":0}]'];

/** A refusal: the close code and reason Discord uses. */
export type Refusal = { close: [code: number, reason: string] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether `token` is the valid bot token (IDENTIFY accepts it with or without the "Bot "
 * prefix); `isValid` says whether a bare token is the bot's and not revoked.
 */
export function isBotToken(token: unknown, isValid: (token: string) => boolean): boolean {
  return typeof token === "string" && isValid(token.replace(/^Bot /, ""));
}

/**
 * Checks an IDENTIFY's `d`: the token (4004), the intents (4013 for undefined bits, 4014 for
 * a privileged intent not enabled for the app: `privilegedIntents` holds the enabled ones),
 * and the shard (4010).
 */
export function checkIdentify(
  d: unknown,
  isValid: (token: string) => boolean,
  privilegedIntents = 0,
): Refusal | { intents: number; shard?: [number, number] } {
  if (!isObject(d)) return { close: [4001, "Unknown opcode."] };
  if (!isBotToken(d.token, isValid)) return { close: [4004, "Authentication failed."] };
  const intents = d.intents;
  if (
    typeof intents !== "number" || !Number.isInteger(intents) || intents < 0 ||
    (intents & ~KNOWN_INTENTS) !== 0
  ) {
    return { close: [4013, "Invalid intent(s)."] };
  }
  if ((intents & ALL_PRIVILEGED_INTENTS & ~privilegedIntents) !== 0) {
    return { close: [4014, "Disallowed intent(s)."] };
  }
  if (d.shard === undefined) return { intents };
  const [id, count] = Array.isArray(d.shard) ? d.shard : [];
  if (!Number.isInteger(id) || !Number.isInteger(count) || count < 1 || id < 0 || id >= count) {
    return { close: [4010, "Invalid shard."] };
  }
  return { intents, shard: [id, count] };
}

/**
 * Checks a RESUME's `d`. An unknown, expired or invalidated session, or one whose missed
 * dispatches fell out of the buffer, gets INVALID_SESSION (d: false); a `seq` from the future
 * closes with 4007.
 */
export function checkResume(
  d: unknown,
  isValid: (token: string) => boolean,
  sessions: GatewaySessions,
): Refusal | { invalidSession: true } | { session: GatewaySession; seq: number } {
  if (!isObject(d)) return { close: [4001, "Unknown opcode."] };
  if (!isBotToken(d.token, isValid)) return { close: [4004, "Authentication failed."] };
  const session = typeof d.session_id === "string" ? sessions.resumable(d.session_id) : undefined;
  if (!session) return { invalidSession: true };
  const seq = typeof d.seq === "number" && Number.isInteger(d.seq) ? d.seq : 0;
  if (seq > session.seq) return { close: [4007, "Invalid seq."] };
  const oldest = session.buffer[0]?.s ?? session.seq + 1;
  if (seq < oldest - 1) return { invalidSession: true };
  return { session, seq };
}

/** The guilds whose events go to this session's shard. */
export function guildsOfSession(world: World, session: GatewaySession): GuildRecord[] {
  return world.guilds().filter((g) => shardOf(g.id, session.shard[1]) === session.shard[0]);
}

/** READY's `d` for a new session. */
export function readyPayload(
  world: World,
  session: GatewaySession,
  resumeGatewayUrl: string,
): Record<string, unknown> {
  return {
    v: 10,
    user: { ...world.botUser, verified: true, mfa_enabled: false, flags: 0, email: null },
    guilds: guildsOfSession(world, session).map((g) => ({ id: g.id, unavailable: true })),
    session_id: session.id,
    session_type: "normal",
    resume_gateway_url: resumeGatewayUrl,
    // Discord echoes `shard` only when IDENTIFY sent one.
    ...(session.shardSent ? { shard: session.shard } : {}),
    application: { id: world.applicationId, flags: 0 },
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    user_settings: {},
    geo_ordered_rtc_regions: [],
    auth: {},
    _trace: TRACE,
  };
}
