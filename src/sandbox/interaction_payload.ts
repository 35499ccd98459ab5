/**
 * The common part of an interaction payload, as Discord sends it for a guild text channel:
 * ids, token, the partial guild and channel, the invoking member with their permissions,
 * the app's permissions, locales and installation context.
 *
 * @module
 */
import { createInteractionToken } from "./ids.ts";
import { memberObject, type World } from "./state.ts";

/** Why an interaction could not be created (HTTP status and message for the control API). */
export class InteractionInputError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "InteractionInputError";
  }
}

/** The fields every guild interaction carries; throws InteractionInputError (400) on bad input. */
export function interactionBase(world: World, userId: string, guildId: string, channelId: string) {
  const guild = world.guild(guildId);
  const channel = world.channel(channelId);
  if (!world.user(userId)) throw new InteractionInputError(400, `Unknown user "${userId}"`);
  if (!guild) throw new InteractionInputError(400, `Unknown guild "${guildId}"`);
  if (!channel || channel.guildId !== guildId || channel.type !== 0) {
    throw new InteractionInputError(
      400,
      `Unknown text channel "${channelId}" in guild "${guildId}"`,
    );
  }
  const member = memberObject(world, guild, userId, { permissions: true });
  if (!member) {
    throw new InteractionInputError(
      400,
      `User "${userId}" is not a member of guild "${guildId}"`,
    );
  }
  const id = world.ids.next();
  return {
    id,
    application_id: world.applicationId,
    token: createInteractionToken(id),
    version: 1,
    guild: { id: guild.id, locale: guild.locale, features: [] },
    guild_id: guild.id,
    channel: {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      guild_id: guild.id,
      parent_id: channel.parentId,
      position: channel.position,
      topic: channel.topic,
      nsfw: false,
      rate_limit_per_user: 0,
      flags: 0,
      permissions: member.permissions,
    },
    channel_id: channel.id,
    member,
    app_permissions: (world.permissionsOf(guildId, world.botUser.id) ?? 0n).toString(),
    locale: "en-US",
    guild_locale: guild.locale,
    entitlements: [],
    authorizing_integration_owners: { "0": guild.id },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}
