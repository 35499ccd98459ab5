/**
 * REST routes for guilds, channels and channel messages, as the bot sees them: ephemeral
 * interaction replies are invisible here (Discord answers 10008 for them).
 *
 * @module
 */
import { createFormErrors, DiscordErrors, json } from "./errors.ts";
import { publicMessage } from "./messages.ts";
import { DEFAULT_BUCKET, type RestDeps, type RestRoute } from "./rest.ts";
import { channelObject, guildObject, memberObject, roleObject } from "./state.ts";
import type { GuildRecord } from "./seed.ts";
import type { SandboxMessage } from "./types.ts";
import { isEmptyMessage, MessageFlags, validateMessageBody } from "./validate.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const notADict = () =>
  DiscordErrors.invalidFormBody({
    _errors: [{
      code: "DICT_TYPE_CONVERT",
      message: "Only dictionaries may be used in a DictType",
    }],
  });

/** The routes. */
export function channelRoutes(deps: RestDeps): RestRoute[] {
  const { world, messages } = deps;
  const channelOf = (params: Record<string, string>) => world.channel(params["channel.id"] ?? "");
  /** A message of the channel the bot may see, or undefined. */
  const visible = (params: Record<string, string>): SandboxMessage | undefined => {
    const message = messages.get(params["message.id"] ?? "");
    return message && message.channel_id === params["channel.id"] && !message.ephemeral
      ? message
      : undefined;
  };
  const messageBucket = { limit: 5, windowMs: 5000 };
  const inChannel = ["channel.id"];

  return [
    {
      method: "GET",
      path: "/channels/{channel.id}",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      resource: inChannel,
      handle: ({ params }) => {
        const channel = channelOf(params);
        return channel ? json(200, channelObject(channel)) : DiscordErrors.unknownChannel();
      },
    },
    {
      method: "GET",
      path: "/channels/{channel.id}/messages",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      resource: inChannel,
      handle({ params, query }) {
        const channel = channelOf(params);
        if (!channel) return DiscordErrors.unknownChannel();
        const limit = Math.min(100, Math.max(1, Number(query.get("limit") ?? 50) || 50));
        const all = messages.inChannel(channel.id).filter((m) => !m.ephemeral);
        const big = (id: string | null) => (id ? BigInt(id) : undefined);
        const before = big(query.get("before"));
        const after = big(query.get("after"));
        const around = big(query.get("around"));
        let picked: SandboxMessage[];
        if (after !== undefined) picked = all.filter((m) => BigInt(m.id) > after).slice(0, limit);
        else if (around !== undefined) {
          const index = all.findIndex((m) => BigInt(m.id) >= around);
          const start = Math.max(0, (index < 0 ? all.length : index) - Math.floor(limit / 2));
          picked = all.slice(start, start + limit);
        } else {
          const older = before === undefined ? all : all.filter((m) => BigInt(m.id) < before);
          picked = older.slice(-limit);
        }
        return json(200, picked.reverse().map(publicMessage));
      },
    },
    {
      method: "POST",
      path: "/channels/{channel.id}/messages",
      auth: "bot",
      bucket: messageBucket,
      resource: inChannel,
      handle({ params, body }) {
        const channel = channelOf(params);
        if (!channel || channel.type !== 0) return DiscordErrors.unknownChannel();
        if (!isObject(body)) return notADict();
        const errors = validateMessageBody(body);
        if (errors) return DiscordErrors.invalidFormBody(errors);
        if (isEmptyMessage(body)) return DiscordErrors.emptyMessage();
        let reply: Partial<SandboxMessage> | undefined;
        if (isObject(body.message_reference)) {
          const target = messages.get(String(body.message_reference.message_id ?? ""));
          if (!target || target.channel_id !== channel.id || target.ephemeral) {
            const tree = createFormErrors();
            tree.add(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message");
            return DiscordErrors.invalidFormBody(tree.tree);
          }
          const reference = {
            type: 0,
            message_id: target.id,
            channel_id: channel.id,
            guild_id: channel.guildId,
          };
          reply = {
            message_reference: reference,
            referenced_message: publicMessage(target),
          } as Partial<SandboxMessage>;
        }
        // EPHEMERAL is for interaction responses only; on a channel message it is ignored.
        const flags = typeof body.flags === "number" ? body.flags & ~MessageFlags.EPHEMERAL : 0;
        const message = messages.create({
          channelId: channel.id,
          author: world.botUser,
          body: { ...body, flags },
          type: reply ? 19 : 0,
          extra: reply ?? {},
        });
        return json(200, publicMessage(message));
      },
    },
    {
      method: "GET",
      path: "/channels/{channel.id}/messages/{message.id}",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      resource: inChannel,
      handle({ params }) {
        if (!channelOf(params)) return DiscordErrors.unknownChannel();
        const message = visible(params);
        return message ? json(200, publicMessage(message)) : DiscordErrors.unknownMessage();
      },
    },
    {
      method: "PATCH",
      path: "/channels/{channel.id}/messages/{message.id}",
      auth: "bot",
      bucket: messageBucket,
      resource: inChannel,
      handle({ params, body }) {
        if (!channelOf(params)) return DiscordErrors.unknownChannel();
        const message = visible(params);
        if (!message) return DiscordErrors.unknownMessage();
        if (message.author.id !== world.botUser.id) return DiscordErrors.cannotEditOthers();
        if (!isObject(body)) return notADict();
        const errors = validateMessageBody(body);
        if (errors) return DiscordErrors.invalidFormBody(errors);
        const merged = {
          content: body.content !== undefined ? body.content : message.content,
          embeds: body.embeds !== undefined ? body.embeds : message.embeds,
          components: body.components !== undefined ? body.components : message.components,
          attachments: body.attachments !== undefined ? body.attachments : message.attachments,
        };
        if (isEmptyMessage(merged)) return DiscordErrors.emptyMessage();
        return json(200, publicMessage(messages.edit(message.id, body)));
      },
    },
    {
      method: "DELETE",
      path: "/channels/{channel.id}/messages/{message.id}",
      auth: "bot",
      bucket: { limit: 5, windowMs: 1000 },
      resource: inChannel,
      handle({ params }) {
        if (!channelOf(params)) return DiscordErrors.unknownChannel();
        const message = visible(params);
        if (!message) return DiscordErrors.unknownMessage();
        messages.delete(message.id);
        return new Response(null, { status: 204 });
      },
    },
    ...guildRoutes(deps),
  ];
}

function guildRoutes(deps: RestDeps): RestRoute[] {
  const { world } = deps;
  const read = (
    path: string,
    render: (guild: GuildRecord, params: Record<string, string>) => Response,
  ): RestRoute => ({
    method: "GET",
    path,
    auth: "bot",
    bucket: DEFAULT_BUCKET,
    resource: ["guild.id"],
    handle({ params }) {
      const guild = world.guild(params["guild.id"] ?? "");
      return guild ? render(guild, params) : DiscordErrors.unknownGuild();
    },
  });
  return [
    read("/guilds/{guild.id}", (guild) => json(200, guildObject(guild))),
    read("/guilds/{guild.id}/channels", (guild) => {
      const channels = guild.channelIds.map((id) => world.channel(id)).filter((c) =>
        c !== undefined
      );
      return json(200, channels.map(channelObject));
    }),
    read("/guilds/{guild.id}/roles", (guild) => json(200, guild.roles.map(roleObject))),
    read("/guilds/{guild.id}/members/{user.id}", (guild, params) => {
      const member = memberObject(world, guild, params["user.id"] ?? "");
      return member ? json(200, member) : DiscordErrors.unknownMember();
    }),
  ];
}
