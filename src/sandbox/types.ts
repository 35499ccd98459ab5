/**
 * Public types of the sandbox: the Discord objects it serves (snake_case, as on the wire)
 * and the records and client that tests use to act as users.
 *
 * @module
 */

import type { FaultInput, FaultRecord } from "./faults.ts";
import type { GatewayStats } from "./gateway.ts";
import type { PlayerOptions, PlayerStats } from "./players.ts";
import type { RestWatchState } from "./rest_watch.ts";
import type { SandboxSettings } from "./settings.ts";

/** Where the sandbox logs. Never console.*: the host passes its logger in. */
export type SandboxLog = (
  level: "debug" | "info" | "warn" | "error",
  message: string,
  props?: Record<string, unknown>,
) => void;

/** A Discord user object (API v10 shape). */
export interface DiscordUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
  public_flags?: number;
}

/** A seeded user of the sandbox: a player (or another bot) that tests act as. */
export interface SandboxUser extends DiscordUser {
  bot: boolean;
}

/** A message as the sandbox stores it: Discord's message object plus who may see it. */
export interface SandboxMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: DiscordUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: DiscordUser[];
  mention_roles: string[];
  attachments: unknown[];
  // deno-lint-ignore no-explicit-any
  embeds: any[];
  // deno-lint-ignore no-explicit-any
  components: any[];
  pinned: boolean;
  type: number;
  flags: number;
  webhook_id?: string;
  application_id?: string;
  nonce?: string | number;
  message_reference?: Record<string, unknown>;
  interaction_metadata?: Record<string, unknown>;
  interaction?: Record<string, unknown>;
  /** Sandbox only: true for an ephemeral interaction reply. */
  ephemeral: boolean;
  /** Sandbox only: the one user who can see an ephemeral message, otherwise null. */
  visible_to: string | null;
}

/** One option a user fills in when running a slash command. Its type comes from the command's definition. */
export interface CommandOptionInput {
  name: string;
  /** For USER, CHANNEL, ROLE and MENTIONABLE options: the id. */
  value: string | number | boolean;
}

/** What `POST /_sandbox/interactions` answers: enough to follow the interaction. */
export interface InteractionHandle {
  id: string;
  token: string;
  /** 2 = APPLICATION_COMMAND, 3 = MESSAGE_COMPONENT. */
  type: number;
  /** The INTERACTION_CREATE payload the bot received. */
  // deno-lint-ignore no-explicit-any
  payload: Record<string, any>;
}

/** Where an interaction stands, seen from the user's side. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  userId: string;
  guildId: string;
  channelId: string;
  /** The command's name (slash commands). */
  name?: string;
  /** The clicked component's custom_id (components). */
  customId?: string;
  /** pending: no callback yet; answered: callback received; failed: "This interaction failed". */
  status: "pending" | "answered" | "failed";
  // deno-lint-ignore no-explicit-any
  callback?: { type: number; data?: any; receivedAt: number };
  createdAt: number;
  answeredAt?: number;
  /** Milliseconds from creation to callback. */
  latencyMs?: number;
  /** For a failed interaction: ms from creation to the bot's first (refused) late callback. */
  lateCallbackMs?: number;
  /** The response message (or, for component updates, the message the component is on). */
  original?: SandboxMessage | null;
  followups: SandboxMessage[];
}

/** A gateway session, as `state()` reports it. */
export interface SandboxSessionInfo {
  id: string;
  connected: boolean;
  resumable: boolean;
  seq: number;
  intents: number;
  shard: [number, number];
  /** Live sockets (open, not zombied) that authenticated with this session. */
  sockets?: number;
}

/** The sandbox's world at a glance. */
export interface SandboxStateSnapshot {
  sessions: SandboxSessionInfo[];
  users: SandboxUser[];
  // deno-lint-ignore no-explicit-any
  guilds: Record<string, any>[];
  // deno-lint-ignore no-explicit-any
  channels: Record<string, any>[];
  /** Gateway counters: identifies, resumes, competing sockets, most sockets per session. */
  gateway: GatewayStats;
  /** REST counters: 429s sent, requests before their Retry-After, invalid requests per IP. */
  rest: RestWatchState;
  /** Interactions created, answered and failed since start. */
  interactions: { created: number; answered: number; failed: number };
  settings: SandboxSettings;
  players: PlayerStats;
}

/** Input to a fault: see `FaultInput`. */
export type { FaultInput, FaultRecord } from "./faults.ts";
export type { PlayerOptions, PlayerStats } from "./players.ts";
export type { SandboxSettings } from "./settings.ts";

/** Input to run a slash command as a user. */
export interface CommandInput {
  userId: string;
  name: string;
  options?: CommandOptionInput[];
  /** "play", or "group play" for a subcommand inside a group. */
  subcommand?: string;
  guildId?: string;
  channelId?: string;
}

/** Input to click a button (or pick `values` in a select menu) as a user. */
export interface ClickInput {
  userId: string;
  messageId: string;
  customId: string;
  channelId?: string;
  /** For select menus: the option values picked. */
  values?: string[];
  /**
   * Act as a client that still shows an older version of the message: a button the
   * message no longer has may be clicked (a stale board), as happens when an edit is late.
   */
  staleClient?: boolean;
}

/** A typed driver of a sandbox: acts as users and reads what the bot did. */
export interface SandboxClient {
  /** Runs a registered slash command as a user. */
  command(input: CommandInput): Promise<InteractionHandle>;
  /** Clicks a component on a message as a user. */
  click(input: ClickInput): Promise<InteractionHandle>;
  /** The interaction's record; waits up to `waitMs` for it to leave "pending". */
  interaction(id: string, waitMs?: number): Promise<InteractionRecord>;
  /** Resolves once the interaction is answered or failed; throws after `timeoutMs` (default 5000). */
  waitForResponse(id: string, timeoutMs?: number): Promise<InteractionRecord>;
  /** Every message in a channel, ephemeral ones included, oldest first. */
  messages(channelId: string): Promise<SandboxMessage[]>;
  /** The first message (new or edited) matching `predicate`; throws after `timeoutMs` (default 5000). */
  waitForMessage(
    channelId: string,
    predicate: (message: SandboxMessage) => boolean,
    timeoutMs?: number,
  ): Promise<SandboxMessage>;
  /** Registered commands: all of them, or one guild's. */
  commands(guildId?: string): Promise<unknown[]>;
  /** Sessions, users, guilds, channels and the gateway, REST, interaction and player counters. */
  state(): Promise<SandboxStateSnapshot>;
  /** The newest interactions (default 50), newest first. */
  interactions(limit?: number): Promise<InteractionRecord[]>;

  /** Injects a fault; resolves with its record. Throws SandboxClientError 400/409. */
  fault(input: FaultInput): Promise<FaultRecord>;
  /** Active faults and the history (with what the client did about each). */
  faults(): Promise<{ active: FaultRecord[]; history: FaultRecord[] }>;
  /** A fault's record by id (from `faults()`). */
  faultRecord(id: string): Promise<FaultRecord | undefined>;
  /** Ends one fault early. */
  endFault(id: string): Promise<FaultRecord>;
  /** Ends every active fault. */
  clearFaults(): Promise<void>;
  /** Cuts the bot's gateway connection (no close frame), or closes it with `code`. */
  dropGateway(options?: { code?: number; sessionId?: string }): Promise<FaultRecord>;
  /** Makes the connection a zombie: silent both ways, cut after `severAfterMs`. */
  zombieGateway(options?: { severAfterMs?: number; sessionId?: string }): Promise<FaultRecord>;
  /** Sends op 7 RECONNECT. */
  sendReconnect(options?: { closeAfterMs?: number; sessionId?: string }): Promise<FaultRecord>;
  /** Sends op 9 INVALID_SESSION (`resumable` is its `d`). */
  sendInvalidSession(resumable: boolean, options?: { sessionId?: string }): Promise<FaultRecord>;
  /** Revokes the bot token for `durationMs` (REST 401, gateway 4004). */
  revokeToken(durationMs?: number): Promise<FaultRecord>;
  /** Answers 429 to matching requests for `durationMs`. */
  rateLimit(options: {
    durationMs: number;
    route?: string;
    scope?: "user" | "shared" | "global";
    retryAfterMs?: number;
    resetAfterMs?: number;
  }): Promise<FaultRecord>;
  /** Answers 5xx to a share of matching requests for `durationMs`. */
  serverErrors(options: {
    durationMs: number;
    route?: string;
    status?: 500 | 502 | 503 | 504;
    fraction?: number;
  }): Promise<FaultRecord>;
  /** Delays matching requests for `durationMs`. */
  latency(options: {
    durationMs: number;
    latencyMs: number;
    jitterMs?: number;
    route?: string;
  }): Promise<FaultRecord>;
  /** Leaves matching requests unanswered for `durationMs`. */
  stall(options: { durationMs: number; route?: string }): Promise<FaultRecord>;

  /** The simulated players' stats. */
  players(): Promise<PlayerStats>;
  /** Starts `count` simulated players (in #arena). */
  startPlayers(count: number, options?: PlayerOptions): Promise<PlayerStats>;
  /** Changes the number of players. */
  scalePlayers(count: number): Promise<PlayerStats>;
  stopPlayers(): Promise<PlayerStats>;

  settings(): Promise<SandboxSettings>;
  /** Changes settings (e.g. `{privilegedIntents: 0}`, `{globalRateLimitPerSecond: 0}`). */
  updateSettings(patch: Partial<SandboxSettings>): Promise<SandboxSettings>;
}
