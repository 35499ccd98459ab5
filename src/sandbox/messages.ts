/**
 * The message store: every message in every channel (ephemeral ones included, with who may
 * see them), a revision counter and a bounded change log that long-polls read from.
 *
 * @module
 */
import type { World } from "./state.ts";
import type { DiscordUser, SandboxMessage } from "./types.ts";
import { MessageFlags } from "./validate.ts";

/**
 * Messages a channel keeps, to bound memory in long runs: once it holds a quarter more, the
 * oldest are dropped down to this many.
 */
export const MAX_MESSAGES_PER_CHANNEL = 10_000;
/** Changes kept for `changedSince` (likewise); older cursors get a full resync. */
const MAX_CHANGES = 5_000;

/**
 * Drops the oldest entries of `list` down to `keep` once it holds a quarter more, and returns
 * them. In batches: trimming one entry on every change moved the whole array each time, and at
 * 1,500 clicks/s that splice was 4 % of the load generator's CPU.
 */
function trimOldest<T>(list: T[], keep: number): T[] {
  return list.length > keep + (keep >> 2) ? list.splice(0, list.length - keep) : [];
}

/** What happened to a message. */
export type MessageChange = "create" | "update" | "delete";

/** Fields a message is created from. `body` is the request body, stored as sent. */
export interface NewMessage {
  channelId: string;
  author: DiscordUser;
  body: Record<string, unknown>;
  /** 0 DEFAULT, 19 REPLY, 20 CHAT_INPUT_COMMAND. */
  type: number;
  /** Extra flags set by the sandbox (LOADING); EPHEMERAL comes from the body. */
  extraFlags?: number;
  visibleTo?: string | null;
  webhookId?: string;
  extra?: Partial<SandboxMessage>;
}

/** The message store. */
export interface MessageStore {
  create(input: NewMessage): SandboxMessage;
  /** Applies an edit body: present keys replace, null clears. Sets edited_timestamp. */
  edit(
    id: string,
    body: Record<string, unknown>,
    options?: { clearFlags?: number },
  ): SandboxMessage;
  delete(id: string): boolean;
  get(id: string): SandboxMessage | undefined;
  /** A channel's messages, oldest first. */
  inChannel(channelId: string): SandboxMessage[];
  /** A channel's newest `limit` messages, oldest first. */
  recent(channelId: string, limit: number): SandboxMessage[];
  readonly revision: number;
  /** Messages of a channel changed after `revision` (current state, deleted ones left out). */
  changedSince(
    channelId: string,
    revision: number,
  ): { revision: number; messages: SandboxMessage[] };
  /** Called after every change (the gateway dispatches MESSAGE_* from here). */
  onChange(listener: (change: MessageChange, message: SandboxMessage) => void): void;
}

/** The message as the bot's API sees it: without the sandbox-only fields. */
export function publicMessage(message: SandboxMessage): Record<string, unknown> {
  const { ephemeral: _e, visible_to: _v, ...rest } = message;
  return rest;
}

const ALLOWED_FLAGS = MessageFlags.SUPPRESS_EMBEDS | MessageFlags.EPHEMERAL |
  MessageFlags.SUPPRESS_NOTIFICATIONS | MessageFlags.IS_VOICE_MESSAGE |
  MessageFlags.IS_COMPONENTS_V2;

/** Creates an empty message store. */
export function createMessageStore(world: World): MessageStore {
  const byId = new Map<string, SandboxMessage>();
  const byChannel = new Map<string, SandboxMessage[]>();
  const changes: { revision: number; channelId: string; messageId: string }[] = [];
  const listeners: ((change: MessageChange, message: SandboxMessage) => void)[] = [];
  let revision = 0;

  const record = (change: MessageChange, message: SandboxMessage) => {
    revision++;
    changes.push({ revision, channelId: message.channel_id, messageId: message.id });
    trimOldest(changes, MAX_CHANGES);
    for (const listener of listeners) {
      try {
        listener(change, message);
      } catch (error) {
        world.log("error", "Message change listener failed", { error: String(error) });
      }
    }
    world.feed.notify();
  };

  return {
    create(input) {
      const id = world.ids.next();
      const flags =
        ((typeof input.body.flags === "number" ? input.body.flags : 0) & ALLOWED_FLAGS) |
        (input.extraFlags ?? 0);
      const channel = world.channel(input.channelId);
      const message: SandboxMessage = {
        id,
        channel_id: input.channelId,
        ...(channel ? { guild_id: channel.guildId } : {}),
        author: input.author,
        content: typeof input.body.content === "string" ? input.body.content : "",
        timestamp: new Date(world.now()).toISOString(),
        edited_timestamp: null,
        tts: input.body.tts === true,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: Array.isArray(input.body.embeds) ? input.body.embeds : [],
        components: Array.isArray(input.body.components) ? input.body.components : [],
        pinned: false,
        type: input.type,
        flags,
        ...(input.webhookId
          ? { webhook_id: input.webhookId, application_id: input.webhookId }
          : {}),
        ...(input.body.nonce !== undefined ? { nonce: input.body.nonce as string | number } : {}),
        ...input.extra,
        ephemeral: (flags & MessageFlags.EPHEMERAL) !== 0,
        visible_to: (flags & MessageFlags.EPHEMERAL) !== 0 ? input.visibleTo ?? null : null,
      };
      byId.set(id, message);
      const list = byChannel.get(input.channelId) ?? [];
      list.push(message);
      for (const old of trimOldest(list, MAX_MESSAGES_PER_CHANNEL)) byId.delete(old.id);
      byChannel.set(input.channelId, list);
      record("create", message);
      return message;
    },
    edit(id, body, options = {}) {
      const message = byId.get(id);
      if (!message) throw new RangeError(`Message "${id}" does not exist`);
      if (body.content !== undefined) {
        message.content = typeof body.content === "string" ? body.content : "";
      }
      if (body.embeds !== undefined) message.embeds = Array.isArray(body.embeds) ? body.embeds : [];
      if (body.components !== undefined) {
        message.components = Array.isArray(body.components) ? body.components : [];
      }
      if (body.attachments !== undefined) {
        message.attachments = Array.isArray(body.attachments) ? body.attachments : [];
      }
      // Only SUPPRESS_EMBEDS can be toggled by an edit; EPHEMERAL and V2 stay as they were.
      if (typeof body.flags === "number") {
        message.flags = (message.flags & ~MessageFlags.SUPPRESS_EMBEDS) |
          (body.flags & MessageFlags.SUPPRESS_EMBEDS) |
          (body.flags & MessageFlags.IS_COMPONENTS_V2);
      }
      message.flags &= ~(options.clearFlags ?? 0);
      message.edited_timestamp = new Date(world.now()).toISOString();
      record("update", message);
      return message;
    },
    delete(id) {
      const message = byId.get(id);
      if (!message) return false;
      byId.delete(id);
      const list = byChannel.get(message.channel_id) ?? [];
      const index = list.indexOf(message);
      if (index >= 0) list.splice(index, 1);
      record("delete", message);
      return true;
    },
    get: (id) => byId.get(id),
    inChannel: (channelId) => [...(byChannel.get(channelId) ?? [])],
    recent: (channelId, limit) => (byChannel.get(channelId) ?? []).slice(-Math.max(0, limit)),
    get revision() {
      return revision;
    },
    changedSince(channelId, since) {
      const oldest = changes[0]?.revision ?? revision + 1;
      if (since < oldest - 1) {
        return { revision, messages: [...(byChannel.get(channelId) ?? [])] };
      }
      const ids = new Set<string>();
      for (const change of changes) {
        if (change.revision > since && change.channelId === channelId) ids.add(change.messageId);
      }
      const messages = [...ids].map((id) => byId.get(id)).filter((m) => m !== undefined);
      return { revision, messages };
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
