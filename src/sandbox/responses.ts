/**
 * The bot's side of an interaction: the callback (`POST /interactions/{id}/{token}/callback`)
 * and the interaction webhook (`/webhooks/{application}/{token}/...`) for the original
 * response and follow-ups, with Discord's rules and error codes.
 *
 * @module
 */
import { DiscordErrors, json } from "./errors.ts";
import type { Interactions, InteractionState } from "./interactions.ts";
import { type MessageStore, publicMessage } from "./messages.ts";
import type { World } from "./state.ts";
import type { SandboxMessage } from "./types.ts";
import { isEmptyMessage, MessageFlags, validateMessageBody } from "./validate.ts";

/** Callback types: 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
const ALLOWED_CALLBACKS: Record<number, number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9] };

/** Handlers for the callback and webhook routes. */
export interface InteractionResponses {
  /** `raw`: the body as sent (UTF-8 JSON), kept for the interaction's record instead of `body`. */
  callback(
    id: string,
    token: string,
    body: unknown,
    withResponse: boolean,
    raw?: Uint8Array,
  ): Response;
  webhook(
    method: string,
    applicationId: string,
    token: string,
    messageId: string | null,
    body: unknown,
  ): Response;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Creates the handlers. */
export function createInteractionResponses(deps: {
  world: World;
  messages: MessageStore;
  interactions: Interactions;
}): InteractionResponses {
  const { world, messages, interactions } = deps;

  /** A message posted in answer to an interaction: authored by the bot, via its webhook. */
  const responseMessage = (
    state: InteractionState,
    data: Record<string, unknown>,
    extraFlags = 0,
  ) =>
    messages.create({
      channelId: state.channelId,
      author: world.botUser,
      body: data,
      type: state.type === 2 ? 20 : 0,
      extraFlags,
      visibleTo: state.userId,
      webhookId: world.applicationId,
      extra: {
        interaction_metadata: {
          id: state.id,
          type: state.type,
          user: world.user(state.userId),
          authorizing_integration_owners: { "0": state.guildId },
          ...(state.name ? { name: state.name, command_type: 1 } : {}),
          ...(state.componentMessageId ? { interacted_message_id: state.componentMessageId } : {}),
        },
        ...(state.type === 2
          ? {
            interaction: {
              id: state.id,
              type: state.type,
              // The legacy object names subcommands too: "blitz play".
              name: state.commandName,
              user: world.user(state.userId),
            },
          }
          : {}),
      },
    });

  const invalid = (errors: ReturnType<typeof validateMessageBody>, prefix: string[] = []) => {
    if (!errors) return undefined;
    return DiscordErrors.invalidFormBody(
      prefix.reduceRight((tree, key) => ({ [key]: tree }), errors),
    );
  };

  const editMessage = (message: SandboxMessage, body: Record<string, unknown>) => {
    const merged = {
      content: body.content !== undefined ? body.content : message.content,
      embeds: body.embeds !== undefined ? body.embeds : message.embeds,
      components: body.components !== undefined ? body.components : message.components,
      attachments: body.attachments !== undefined ? body.attachments : message.attachments,
    };
    if (isEmptyMessage(merged)) return DiscordErrors.emptyMessage();
    return json(
      200,
      publicMessage(messages.edit(message.id, body, { clearFlags: MessageFlags.LOADING })),
    );
  };

  return {
    callback(id, token, body, withResponse, raw) {
      const state = interactions.get(id);
      if (!state || state.token !== token) return DiscordErrors.unknownInteraction();
      if (interactions.missedDeadline(state)) {
        interactions.noteLate(state);
        return DiscordErrors.unknownInteraction();
      }
      if (state.status === "answered") return DiscordErrors.alreadyAcknowledged();
      if (!isObject(body)) {
        return DiscordErrors.invalidFormBody({
          _errors: [{
            code: "DICT_TYPE_CONVERT",
            message: "Only dictionaries may be used in a DictType",
          }],
        });
      }
      const type = body.type as number;
      const allowed = ALLOWED_CALLBACKS[state.type] ?? [];
      if (!allowed.includes(type)) {
        return DiscordErrors.invalidFormBody({
          type: {
            _errors: [{
              code: "BASE_TYPE_CHOICES",
              message: `Value must be one of {${allowed.join(", ")}}.`,
            }],
          },
        });
      }
      const data = isObject(body.data) ? body.data : {};
      if (type === 4 || type === 7) {
        const errors = invalid(validateMessageBody(data), ["data"]);
        if (errors) return errors;
      }
      let original: SandboxMessage | undefined;
      if (type === 4) {
        if (isEmptyMessage(data)) return DiscordErrors.emptyMessage();
        original = responseMessage(state, data);
      } else if (type === 5) {
        const flags = typeof data.flags === "number" ? data.flags & MessageFlags.EPHEMERAL : 0;
        original = responseMessage(state, { content: "", flags }, MessageFlags.LOADING);
      } else if (type === 6 || type === 7) {
        const target = state.componentMessageId
          ? messages.get(state.componentMessageId)
          : undefined;
        if (!target) return DiscordErrors.unknownMessage();
        if (type === 7) {
          const edited = editMessage(target, data);
          if (edited.status !== 200) return edited;
        }
        original = target;
      }
      state.originalMessageId = original?.id ?? null;
      interactions.answer(state, { type, data: body.data }, raw);
      if (!withResponse) return new Response(null, { status: 204 });
      return json(200, {
        interaction: {
          id: state.id,
          type: state.type,
          ...(original
            ? {
              response_message_id: original.id,
              response_message_loading: (original.flags & MessageFlags.LOADING) !== 0,
              response_message_ephemeral: original.ephemeral,
            }
            : {}),
        },
        resource: {
          type,
          ...(original && (type === 4 || type === 7) ? { message: publicMessage(original) } : {}),
        },
      });
    },

    webhook(method, applicationId, token, messageId, body) {
      if (applicationId !== world.applicationId) return DiscordErrors.unknownWebhook();
      const state = interactions.byToken(token);
      // An expired token, or one invalidated by a missed deadline, is refused like a bad one.
      if (
        !state || interactions.tokenExpired(state) ||
        interactions.missedDeadline(state)
      ) {
        return DiscordErrors.invalidWebhookToken();
      }
      if (state.status === "pending") {
        return messageId === null ? DiscordErrors.unknownWebhook() : DiscordErrors.unknownMessage();
      }
      if (messageId === null) {
        if (method !== "POST") return DiscordErrors.methodNotAllowed();
        if (!isObject(body)) {
          return DiscordErrors.invalidFormBody({
            _errors: [{
              code: "DICT_TYPE_CONVERT",
              message: "Only dictionaries may be used in a DictType",
            }],
          });
        }
        const errors = invalid(validateMessageBody(body));
        if (errors) return errors;
        if (isEmptyMessage(body)) return DiscordErrors.emptyMessage();
        // Documented compatibility: the first follow-up after a deferred response edits it.
        const original = state.originalMessageId
          ? messages.get(state.originalMessageId)
          : undefined;
        if (original && (original.flags & MessageFlags.LOADING) !== 0) {
          const { flags: _ignored, ...rest } = body;
          return editMessage(original, rest);
        }
        const message = responseMessage(state, body);
        (state.followupIds ??= []).push(message.id);
        return json(200, publicMessage(message));
      }
      const id = messageId === "@original" ? state.originalMessageId : messageId;
      const mine = id !== null &&
        (id === state.originalMessageId || state.followupIds?.includes(id) === true);
      const message = mine && id ? messages.get(id) : undefined;
      if (!message) return DiscordErrors.unknownMessage();
      if (method === "GET") return json(200, publicMessage(message));
      if (method === "DELETE") {
        messages.delete(message.id);
        return new Response(null, { status: 204 });
      }
      if (method !== "PATCH") return DiscordErrors.methodNotAllowed();
      if (!isObject(body)) {
        return DiscordErrors.invalidFormBody({
          _errors: [{
            code: "DICT_TYPE_CONVERT",
            message: "Only dictionaries may be used in a DictType",
          }],
        });
      }
      const errors = invalid(validateMessageBody(body));
      if (errors) return errors;
      return editMessage(message, body);
    },
  };
}
