/**
 * Interactions: built as Discord builds them when a user runs a command or clicks a
 * component, dispatched to the bot, and tracked until answered or failed. Discord gives a bot
 * 3 seconds to acknowledge (after that the user sees "This interaction failed" and the token
 * is invalidated) and an interaction token lives 15 minutes.
 *
 * @module
 */
import { buildCommandData } from "./command_data.ts";
import type { CommandRegistry } from "./commands.ts";
import { type MessageStore, publicMessage } from "./messages.ts";
import { findComponent, selectData } from "./components.ts";
import { interactionIdFromToken } from "./ids.ts";
import { interactionBase, InteractionInputError } from "./interaction_payload.ts";
import type { World } from "./state.ts";
import type { ClickInput, CommandInput, InteractionHandle, InteractionRecord } from "./types.ts";

/** How long an interaction token stays valid for follow-ups: 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** Interactions are forgotten this long after their token expired, when new ones arrive. */
const RETAIN_AFTER_EXPIRY_MS = 60_000;
/**
 * After this, a settled interaction forgets the bot's answer (`callback.data`, shown by
 * `record()`); what its token still needs for 15 minutes stays. A settled interaction then
 * holds about 0.5 KB: at 300 actions/s the token lifetime keeps ~270,000 of them, and each one
 * used to hold 2.4 KB (its payload, the cleared timer, empty arrays), which grew the load
 * generator to 640 MB and put its garbage collection into the latencies it measures (measured
 * with a heap snapshot of `bench/loadgen.ts` after 3 minutes at 300/s).
 */
const DETAIL_MS = 60_000;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** `{ data }` of the callback an interaction still holds (see `callbackJson`), else `{}`. */
function callbackDataOf(state: InteractionState): { data?: unknown } {
  if (state.callbackJson === undefined) return {};
  const body = JSON.parse(fromUtf8.decode(state.callbackJson)) as { data?: unknown };
  return body.data !== undefined ? { data: body.data } : {};
}

/** The sandbox's bookkeeping for one interaction. */
export interface InteractionState {
  id: string;
  token: string;
  type: 2 | 3;
  userId: string;
  guildId: string;
  channelId: string;
  /** Slash commands: the command's name ("blitz"). */
  name: string | undefined;
  /** Slash commands: the name with its subcommand group and subcommand ("blitz play"). */
  commandName: string | undefined;
  /** For components: the clicked component's custom_id. */
  customId: string | undefined;
  /** For components: the message the component is on. */
  componentMessageId: string | undefined;
  createdAt: number;
  deadlineAt: number;
  status: "pending" | "answered" | "failed";
  /** The callback's type (4 message, 5 deferred, 6 deferred update, 7 update, 9 modal). */
  callbackType: number | undefined;
  /**
   * The callback's body as JSON (UTF-8), kept for `record()` until the interaction is
   * `DETAIL_MS` old. Bytes, not the parsed `data`: at 2,000 answers/s a minute of parsed boards
   * was a graph of millions of objects for the load generator's collector to copy and mark, for
   * records that are rarely read (docs/DECISIONS.md D37).
   */
  callbackJson: Uint8Array | undefined;
  answeredAt: number | undefined;
  originalMessageId: string | null;
  /** Follow-up messages, created on the first one. */
  followupIds: string[] | undefined;
  /** When the bot first tried to answer after the deadline. */
  lateCallbackAt: number | undefined;
  /** The 3-second deadline's timer, until the interaction is settled. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The interaction registry. */
export interface Interactions {
  command(input: CommandInput): InteractionHandle;
  click(input: ClickInput): InteractionHandle;
  get(id: string): InteractionState | undefined;
  byToken(token: string): InteractionState | undefined;
  record(id: string): InteractionRecord | undefined;
  /** The newest `limit` interactions, newest first. */
  recent(limit: number): InteractionRecord[];
  /** Counts since start: created, answered, failed. */
  counts(): { created: number; answered: number; failed: number };
  /** Marks an interaction answered (used by the callback route). */
  answer(
    state: InteractionState,
    callback: { type: number; data?: unknown },
    /** The callback's body as it was sent (UTF-8 JSON); encoded from `callback` when absent. */
    raw?: Uint8Array,
  ): void;
  /** True when the deadline passed without a callback (marks it failed on the way). */
  missedDeadline(state: InteractionState): boolean;
  /** True once the interaction's token has expired (by default 15 minutes after it was created). */
  tokenExpired(state: InteractionState): boolean;
  /** Records a callback that came after the deadline (refused with 10062). */
  noteLate(state: InteractionState): void;
  /** Calls `listener` for every answered interaction; returns an unsubscribe. */
  onAnswer(listener: AnswerListener): () => void;
  close(): void;
}

/** Hears every interaction callback: its id, what the bot answered and how long it took. */
export type AnswerListener = (
  id: string,
  callback: { type: number; data?: unknown },
  latencyMs: number,
  /** The message the answer created or edited (what `@original` names), if any. */
  originalMessageId: string | null,
) => void;

/** A command's name with its subcommand group and subcommand, e.g. "blitz play". */
function fullCommandName(name: string, data: { options?: unknown }): string {
  const parts = [name];
  // deno-lint-ignore no-explicit-any
  let options: any[] = Array.isArray(data.options) ? data.options : [];
  for (let depth = 0; depth < 2; depth++) {
    const nested = options.find((o) => o?.type === 1 || o?.type === 2);
    if (!nested) break;
    parts.push(nested.name);
    options = Array.isArray(nested.options) ? nested.options : [];
  }
  return parts.join(" ");
}

/** Creates the registry. `dispatch` sends INTERACTION_CREATE and says how many sessions got it. */
export function createInteractions(deps: {
  world: World;
  messages: MessageStore;
  commands: CommandRegistry;
  deadlineMs: number;
  /** How long a settled interaction keeps its payload and answer (default 60 s). */
  detailMs?: number;
  /** How long a token works (default 15 minutes, Discord's); it is forgotten a minute later. */
  tokenLifetimeMs?: number;
  canDispatch: (guildId: string) => boolean;
  dispatch: (guildId: string, payload: Record<string, unknown>) => void;
}): Interactions {
  const { world, messages } = deps;
  const tokenLifetimeMs = deps.tokenLifetimeMs ?? INTERACTION_TOKEN_LIFETIME_MS;
  const byId = new Map<string, InteractionState>();
  const counts = { created: 0, answered: 0, failed: 0 };
  const answerListeners = new Set<AnswerListener>();

  const fail = (state: InteractionState) => {
    if (state.status !== "pending") return;
    state.status = "failed";
    counts.failed++;
    clearTimeout(state.timer);
    state.timer = undefined;
    world.log("warn", "Interaction failed: no response before the deadline", {
      id: state.id,
      name: state.name,
    });
    world.feed.notify();
  };

  /** Interactions in creation order, not yet slimmed; `slimHead` is the next to look at. */
  const toSlim: InteractionState[] = [];
  let slimHead = 0;
  const slim = (state: InteractionState) => {
    state.callbackJson = undefined;
  };
  const prune = () => {
    const now = world.now();
    const cutoff = now - tokenLifetimeMs - RETAIN_AFTER_EXPIRY_MS;
    for (const [id, state] of byId) {
      if (state.createdAt >= cutoff) break;
      byId.delete(id);
    }
    while (slimHead < toSlim.length) {
      const state = toSlim[slimHead]!;
      if (state.createdAt >= now - (deps.detailMs ?? DETAIL_MS) || state.status === "pending") {
        break;
      }
      slim(state);
      slimHead++;
    }
    if (slimHead > 4096 && slimHead * 2 > toSlim.length) {
      toSlim.splice(0, slimHead);
      slimHead = 0;
    }
  };

  const base = (userId: string, guildId: string, channelId: string) => {
    const payload = interactionBase(world, userId, guildId, channelId);
    if (!deps.canDispatch(guildId)) {
      throw new InteractionInputError(
        409,
        "No bot session is connected to the gateway: start the bot first",
      );
    }
    return payload;
  };

  const start = (
    payload: ReturnType<typeof base> & { type: 2 | 3; data: unknown; message?: unknown },
    extra: {
      userId: string;
      name?: string;
      commandName?: string;
      customId?: string;
      componentMessageId?: string;
    },
  ): InteractionHandle => {
    prune();
    const now = world.now();
    const state: InteractionState = {
      id: payload.id,
      token: payload.token,
      type: payload.type,
      userId: extra.userId,
      guildId: payload.guild_id,
      channelId: payload.channel_id,
      name: extra.name,
      commandName: extra.commandName,
      customId: extra.customId,
      componentMessageId: extra.componentMessageId,
      createdAt: now,
      deadlineAt: now + deps.deadlineMs,
      status: "pending",
      callbackType: undefined,
      callbackJson: undefined,
      answeredAt: undefined,
      originalMessageId: null,
      followupIds: undefined,
      lateCallbackAt: undefined,
      timer: undefined,
    };
    state.timer = setTimeout(() => fail(state), deps.deadlineMs);
    byId.set(state.id, state);
    toSlim.push(state);
    counts.created++;
    deps.dispatch(state.guildId, payload);
    world.feed.notify();
    return { id: state.id, token: state.token, type: state.type, payload };
  };

  const record = (id: string): InteractionRecord | undefined => {
    const s = byId.get(id);
    if (!s) return undefined;
    const original = s.originalMessageId ? messages.get(s.originalMessageId) ?? null : null;
    return {
      id: s.id,
      token: s.token,
      type: s.type,
      userId: s.userId,
      guildId: s.guildId,
      channelId: s.channelId,
      ...(s.name ? { name: s.name } : {}),
      ...(s.customId !== undefined ? { customId: s.customId } : {}),
      status: s.status,
      ...(s.callbackType !== undefined
        ? {
          callback: {
            type: s.callbackType,
            ...callbackDataOf(s),
            receivedAt: s.answeredAt ?? s.createdAt,
          },
        }
        : {}),
      createdAt: s.createdAt,
      ...(s.answeredAt !== undefined
        ? { answeredAt: s.answeredAt, latencyMs: s.answeredAt - s.createdAt }
        : {}),
      ...(s.lateCallbackAt !== undefined ? { lateCallbackMs: s.lateCallbackAt - s.createdAt } : {}),
      original,
      followups: (s.followupIds ?? []).map((m) => messages.get(m)).filter((m) => m !== undefined),
    };
  };

  return {
    command(input) {
      const guildId = input.guildId ?? world.seed.guild.id;
      const channelId = input.channelId ?? world.seed.channelId;
      const command = deps.commands.find(input.name, guildId);
      if (!command) {
        const known = [...deps.commands.list(), ...deps.commands.list(guildId)].map((c) => c.name);
        throw new InteractionInputError(
          400,
          `Command "/${input.name}" is not registered (registered: ${known.join(", ") || "none"})`,
        );
      }
      const built = buildCommandData(world, command, guildId, input);
      if ("error" in built) throw new InteractionInputError(400, built.error);
      const payload = {
        ...base(input.userId, guildId, channelId),
        type: 2 as const,
        data: built.data,
      };
      return start(payload, {
        userId: input.userId,
        name: input.name,
        commandName: fullCommandName(input.name, built.data),
      });
    },
    click(input) {
      const message = messages.get(input.messageId);
      if (!message || (input.channelId && message.channel_id !== input.channelId)) {
        throw new InteractionInputError(400, `Unknown message "${input.messageId}"`);
      }
      if (message.ephemeral && message.visible_to !== input.userId) {
        throw new InteractionInputError(
          400,
          `User "${input.userId}" cannot see ephemeral message "${message.id}"`,
        );
      }
      // A client still showing an earlier version of the message (an edit that has not
      // reached it yet) can click a button the message no longer has: `staleClient` does that.
      const component = findComponent(message.components, input.customId) ??
        (input.staleClient ? { type: 2, style: 1, custom_id: input.customId } : undefined);
      if (!component) {
        throw new InteractionInputError(
          400,
          `Message "${message.id}" has no component with custom_id "${input.customId}"`,
        );
      }
      if (component.disabled === true) {
        throw new InteractionInputError(400, `Component "${input.customId}" is disabled`);
      }
      const guildId = message.guild_id ?? world.seed.guild.id;
      const data = selectData(world, guildId, component, input.values);
      if ("error" in data) throw new InteractionInputError(400, data.error);
      const payload = {
        ...base(input.userId, guildId, message.channel_id),
        type: 3 as const,
        data: data.data,
        message: publicMessage(message),
      };
      return start(payload, {
        userId: input.userId,
        customId: input.customId,
        componentMessageId: message.id,
      });
    },
    get: (id) => byId.get(id),
    byToken(token) {
      const id = interactionIdFromToken(token);
      const state = id === undefined ? undefined : byId.get(id);
      return state?.token === token ? state : undefined;
    },
    record,
    recent(limit) {
      const ids = [...byId.keys()].slice(-Math.max(0, limit)).reverse();
      return ids.map((id) => record(id)).filter((r) => r !== undefined);
    },
    counts: () => ({ ...counts }),
    answer(state, callback, raw) {
      clearTimeout(state.timer);
      state.timer = undefined;
      state.status = "answered";
      counts.answered++;
      state.answeredAt = world.now();
      state.callbackType = callback.type;
      state.callbackJson = callback.data === undefined
        ? undefined
        : raw ?? utf8.encode(JSON.stringify(callback));
      world.feed.notify();
      for (const listener of answerListeners) {
        listener(state.id, callback, state.answeredAt - state.createdAt, state.originalMessageId);
      }
    },
    onAnswer(listener) {
      answerListeners.add(listener);
      return () => answerListeners.delete(listener);
    },
    tokenExpired(state) {
      return world.now() > state.createdAt + tokenLifetimeMs;
    },
    missedDeadline(state) {
      if (state.status === "failed") return true;
      if (state.status === "pending" && world.now() > state.deadlineAt) {
        fail(state);
        return true;
      }
      return false;
    },
    noteLate(state) {
      if (state.lateCallbackAt !== undefined) return;
      state.lateCallbackAt = world.now();
      world.feed.notify();
    },
    close() {
      for (const state of byId.values()) clearTimeout(state.timer);
    },
  };
}
