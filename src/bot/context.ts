/**
 * The context a command or button handler gets: who asked, where, and how to answer.
 * Answering twice is a bug Discord punishes (40060), so the context tracks it.
 */
import type { RestManager } from "@discordeno/bot";
import {
  CallbackType,
  EPHEMERAL,
  type OutgoingMessage,
  type RawInteraction,
  type RawUser,
} from "./types.ts";
import { inDiscordsFormat } from "./rest_send.ts";

/** What a handler can do with one interaction. */
export interface InteractionContext {
  readonly interaction: RawInteraction;
  readonly user: RawUser;
  readonly guildId?: string;
  readonly channelId?: string;
  /** Has a callback been sent? */
  readonly answered: boolean;
  /** Did Discord accept the callback (the user saw an answer)? */
  readonly acknowledged: boolean;
  /** Answers with a new message (ephemeral when asked). */
  reply(message: OutgoingMessage, options?: { ephemeral?: boolean }): Promise<void>;
  /**
   * Answers with a new message and learns its id from Discord's answer to the callback
   * (`with_response=true`), instead of asking for it with a second request; undefined when
   * the answer did not name it.
   */
  replyWithMessage(
    message: OutgoingMessage,
  ): Promise<{ id: string; channel_id: string } | undefined>;
  /** Acknowledges now, answers later with {@link editOriginal}. */
  defer(options?: { ephemeral?: boolean }): Promise<void>;
  /** Edits the message the clicked component is on. */
  update(message: OutgoingMessage): Promise<void>;
  /** Acknowledges a click without changing the message yet. */
  deferUpdate(): Promise<void>;
  editOriginal(message: OutgoingMessage): Promise<void>;
  followUp(message: OutgoingMessage, options?: { ephemeral?: boolean }): Promise<void>;
  /** The message the first answer created (`GET …/messages/@original`). */
  original(): Promise<{ id: string; channel_id: string }>;
}

/** Creates the context for one interaction. */
export function createInteractionContext(
  rest: RestManager,
  interaction: RawInteraction,
): InteractionContext {
  let answered = false;
  let acknowledged = false;
  const user = interaction.member?.user ?? interaction.user ?? { id: "0", username: "unknown" };
  /** Sends the one callback; with `withResponse`, resolves with Discord's answer (camelized). */
  const send = async (
    type: number,
    data: OutgoingMessage | undefined,
    withResponse: boolean,
  ): Promise<unknown> => {
    if (answered) throw new Error(`Interaction ${interaction.id} was already answered`);
    answered = true;
    const answer = await rest.sendInteractionResponse(
      interaction.id,
      interaction.token,
      // Blitz's messages are built in Discord's format: sent without discordeno's copy.
      // deno-lint-ignore no-explicit-any
      inDiscordsFormat({ type, data }) as any,
      withResponse ? { withResponse: true } : undefined,
    );
    acknowledged = true;
    return answer;
  };
  const callback = async (type: number, data?: OutgoingMessage): Promise<void> => {
    await send(type, data, false);
  };
  const withFlags = (message: OutgoingMessage, ephemeral?: boolean): OutgoingMessage =>
    ephemeral ? { ...message, flags: (message.flags ?? 0) | EPHEMERAL } : message;
  return {
    interaction,
    user,
    guildId: interaction.guild_id,
    channelId: interaction.channel_id,
    get answered() {
      return answered;
    },
    get acknowledged() {
      return acknowledged;
    },
    reply: (message, options) =>
      callback(CallbackType.ChannelMessageWithSource, withFlags(message, options?.ephemeral)),
    replyWithMessage: async (message) => {
      // discordeno camelizes the answer: { resource: { message: { id, channelId } } }.
      const answer = await send(CallbackType.ChannelMessageWithSource, message, true) as
        | { resource?: { message?: { id?: unknown; channelId?: unknown } } }
        | undefined;
      const sent = answer?.resource?.message;
      return sent?.id !== undefined && sent.channelId !== undefined
        ? { id: String(sent.id), channel_id: String(sent.channelId) }
        : undefined;
    },
    defer: (options) =>
      callback(
        CallbackType.DeferredChannelMessageWithSource,
        options?.ephemeral ? { flags: EPHEMERAL } : undefined,
      ),
    update: (message) => callback(CallbackType.UpdateMessage, message),
    deferUpdate: () => callback(CallbackType.DeferredUpdateMessage),
    editOriginal: async (message) => {
      // deno-lint-ignore no-explicit-any
      await rest.editOriginalInteractionResponse(interaction.token, message as any);
    },
    original: async () => {
      const message = await rest.getOriginalInteractionResponse(interaction.token) as unknown as {
        id: string;
        channelId: string;
      };
      return { id: String(message.id), channel_id: String(message.channelId) };
    },
    followUp: async (message, options) => {
      await rest.sendFollowupMessage(
        interaction.token,
        withFlags(message, options?.ephemeral) as Parameters<RestManager["sendFollowupMessage"]>[1],
      );
    },
  };
}
