/**
 * The sandbox's world: the application and its bot user, users, guilds, roles, channels and
 * members, with the functions that serialise them into Discord's v10 objects.
 *
 * @module
 */
import type { ChangeFeed } from "./feed.ts";
import type { SnowflakeGenerator } from "./ids.ts";
import { memberPermissions } from "./permissions.ts";
import type { ChannelRecord, GuildRecord, RoleRecord, SeedWorld } from "./seed.ts";
import type { SandboxSettings } from "./settings.ts";
import type { DiscordUser, SandboxLog, SandboxUser } from "./types.ts";

/** The name of the application (and its bot user) the sandbox hosts. */
export const BOT_NAME = "Blitz";

/** Everything the sandbox's parts share. */
export interface World {
  readonly applicationId: string;
  readonly token: string;
  /** The bot's own user (its id is the application id, as for current Discord apps). */
  readonly botUser: DiscordUser & { bot: true };
  readonly seed: SeedWorld;
  readonly ids: SnowflakeGenerator;
  readonly now: () => number;
  readonly feed: ChangeFeed;
  readonly log: SandboxLog;
  /** Run-time settings (rate limits, privileged intents, token validity). */
  readonly settings: SandboxSettings;
  /** True when `token` is the bot token and it has not been revoked. */
  isValidToken(token: string): boolean;
  /** Any known user, the bot included. */
  user(id: string): DiscordUser | undefined;
  /** The users (seeded ones first, then those added at run time), not the bot itself. */
  users(): SandboxUser[];
  /**
   * Adds a user (if new) and makes them a member of `guildId` without roles; returns false
   * when the user was already a member. Calls `onMemberAdd` listeners for new members.
   */
  addMember(user: SandboxUser, guildId: string): boolean;
  /** Called after `addMember` added a member (the gateway dispatches GUILD_MEMBER_ADD). */
  onMemberAdd(listener: (guild: GuildRecord, userId: string) => void): void;
  guild(id: string): GuildRecord | undefined;
  guilds(): GuildRecord[];
  channel(id: string): ChannelRecord | undefined;
  channels(): ChannelRecord[];
  /** A member's permissions in a guild, or undefined when not a member. */
  permissionsOf(guildId: string, userId: string): bigint | undefined;
}

/** Builds the world from its seed. */
export function createWorld(input: {
  applicationId: string;
  token: string;
  seed: SeedWorld;
  ids: SnowflakeGenerator;
  now: () => number;
  feed: ChangeFeed;
  log: SandboxLog;
  settings: SandboxSettings;
}): World {
  const botUser = {
    id: input.applicationId,
    username: BOT_NAME,
    global_name: null,
    discriminator: "0",
    avatar: null,
    bot: true as const,
    public_flags: 0,
  };
  const users = new Map<string, DiscordUser>([[botUser.id, botUser]]);
  for (const u of input.seed.users) users.set(u.id, u);
  const userList: SandboxUser[] = [...input.seed.users];
  const memberListeners: ((guild: GuildRecord, userId: string) => void)[] = [];
  const guilds = new Map([[input.seed.guild.id, input.seed.guild]]);
  const channels = new Map(input.seed.channels.map((c) => [c.id, c]));

  return {
    applicationId: input.applicationId,
    token: input.token,
    botUser,
    seed: input.seed,
    ids: input.ids,
    now: input.now,
    feed: input.feed,
    log: input.log,
    settings: input.settings,
    isValidToken: (token) => input.settings.tokenValid && token === input.token,
    user: (id) => users.get(id),
    users: () => userList,
    addMember(user, guildId) {
      const guild = guilds.get(guildId);
      if (!guild) throw new RangeError(`Guild "${guildId}" does not exist`);
      if (!users.has(user.id)) {
        users.set(user.id, user);
        userList.push(user);
      }
      if (guild.members.has(user.id)) return false;
      guild.members.set(user.id, {
        userId: user.id,
        roles: [],
        joinedAt: new Date(input.now()).toISOString(),
        nick: null,
      });
      for (const listener of memberListeners) listener(guild, user.id);
      input.feed.notify();
      return true;
    },
    onMemberAdd: (listener) => void memberListeners.push(listener),
    guild: (id) => guilds.get(id),
    guilds: () => [...guilds.values()],
    channel: (id) => channels.get(id),
    channels: () => [...channels.values()],
    permissionsOf(guildId, userId) {
      const guild = guilds.get(guildId);
      const member = guild?.members.get(userId);
      if (!guild || !member) return undefined;
      const everyone = guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n;
      const rolePermissions = guild.roles.filter((r) => member.roles.includes(r.id))
        .map((r) => r.permissions);
      return memberPermissions({ everyone, rolePermissions, isOwner: guild.ownerId === userId });
    },
  };
}

/** A role object (v10). */
export function roleObject(role: RoleRecord): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

/** A guild channel object (v10). */
export function channelObject(channel: ChannelRecord): Record<string, unknown> {
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: channel.parentId,
    flags: 0,
    ...(channel.type === 0
      ? { topic: channel.topic, nsfw: false, rate_limit_per_user: 0, last_message_id: null }
      : {}),
  };
}

/** A guild member object; `withUser` adds `user`, `permissions` adds the interaction-only field. */
export function memberObject(
  world: World,
  guild: GuildRecord,
  userId: string,
  options: { withUser?: boolean; permissions?: boolean } = {},
): Record<string, unknown> | undefined {
  const member = guild.members.get(userId);
  const user = world.user(userId);
  if (!member || !user) return undefined;
  return {
    ...(options.withUser === false ? {} : { user }),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(options.permissions
      ? { permissions: (world.permissionsOf(guild.id, userId) ?? 0n).toString() }
      : {}),
  };
}

/** A guild object (v10) without the GUILD_CREATE extras. */
export function guildObject(guild: GuildRecord): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: guild.roles.map(roleObject),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.systemChannelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: guild.locale,
    nsfw_level: 0,
  };
}

/**
 * The GUILD_CREATE payload. Without the GUILD_PRESENCES intent Discord lists only the bot
 * (and members in voice) in `members`; `allMembers` lists everyone.
 */
export function guildCreateObject(
  world: World,
  guild: GuildRecord,
  allMembers: boolean,
): Record<string, unknown> {
  const memberIds = allMembers ? [...guild.members.keys()] : [world.botUser.id];
  return {
    ...guildObject(guild),
    joined_at: guild.members.get(world.botUser.id)?.joinedAt ?? null,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: memberIds.map((id) => memberObject(world, guild, id)).filter(Boolean),
    channels: guild.channelIds.map((id) => world.channel(id)).filter((c) => c !== undefined)
      .map(channelObject),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
