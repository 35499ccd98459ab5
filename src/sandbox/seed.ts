/**
 * The sandbox's starting world: one guild "Blitz Sandbox" with a #blitz text channel (for
 * people and tests) and an #arena text channel (where simulated players play), a few users,
 * another bot, and roles that give the permissions a game bot checks. Ids are fixed
 * (see `seedSnowflake`), so a bot's stored data stays valid across sandbox restarts.
 *
 * @module
 */
import { seedSnowflake } from "./ids.ts";
import { DEFAULT_EVERYONE_PERMISSIONS, Permission } from "./permissions.ts";
import type { SandboxUser } from "./types.ts";

/** A guild role as the sandbox stores it. */
export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  managed: boolean;
  mentionable: boolean;
  /** For a bot's managed role: the bot's user id. */
  botId?: string;
}

/** A guild channel as the sandbox stores it. */
export interface ChannelRecord {
  id: string;
  guildId: string;
  /** 0 = GUILD_TEXT, 4 = GUILD_CATEGORY. */
  type: number;
  name: string;
  position: number;
  topic: string | null;
  parentId: string | null;
}

/** A guild member as the sandbox stores it. */
export interface MemberRecord {
  userId: string;
  roles: string[];
  joinedAt: string;
  nick: string | null;
}

/** A guild as the sandbox stores it. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  roles: RoleRecord[];
  channelIds: string[];
  systemChannelId: string | null;
  members: Map<string, MemberRecord>;
  locale: string;
}

/** The seeded world, before any bot connects. */
export interface SeedWorld {
  users: SandboxUser[];
  guild: GuildRecord;
  channels: ChannelRecord[];
  /** The text channel people and tests use: #blitz. */
  channelId: string;
  /** The text channel simulated players use: #arena. */
  arenaChannelId: string;
}

function user(index: number, username: string, globalName: string, bot = false): SandboxUser {
  return {
    id: seedSnowflake(index),
    username,
    global_name: globalName,
    discriminator: "0",
    avatar: null,
    bot,
    public_flags: 0,
  };
}

/** Builds the seeded world for a bot whose user id is `botUserId` (named `botName`). */
export function createSeedWorld(botUserId: string, botName: string): SeedWorld {
  const owner = user(10, "owner", "Server Owner");
  const alice = user(11, "alice", "Alice");
  const bob = user(12, "bob", "Bob");
  const carol = user(13, "carol", "Carol");
  const dave = user(14, "dave", "Dave");
  const otherBot = user(15, "other_bot", "Other Bot", true);

  const guildId = seedSnowflake(100);
  const categoryId = seedSnowflake(110);
  const channelId = seedSnowflake(111);
  const arenaChannelId = seedSnowflake(112);
  const adminRoleId = seedSnowflake(120);
  const moderatorRoleId = seedSnowflake(121);
  const botRoleId = seedSnowflake(122);
  const joinedAt = new Date(Date.UTC(2024, 0, 1)).toISOString();

  const role = (r: Omit<RoleRecord, "color" | "hoist" | "managed" | "mentionable">) => ({
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    ...r,
  });
  const roles: RoleRecord[] = [
    role({
      id: guildId,
      name: "@everyone",
      permissions: DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
    }),
    role({ id: adminRoleId, name: "Admin", permissions: Permission.ADMINISTRATOR, position: 3 }),
    role({
      id: moderatorRoleId,
      name: "Moderator",
      permissions: Permission.MANAGE_GUILD,
      position: 2,
    }),
    {
      ...role({
        id: botRoleId,
        name: botName,
        permissions: Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | Permission.EMBED_LINKS |
          Permission.ATTACH_FILES | Permission.READ_MESSAGE_HISTORY | Permission.ADD_REACTIONS |
          Permission.USE_EXTERNAL_EMOJIS | Permission.MANAGE_MESSAGES,
        position: 1,
      }),
      managed: true,
      botId: botUserId,
    },
  ];

  const member = (userId: string, memberRoles: string[] = []): [string, MemberRecord] => [
    userId,
    { userId, roles: memberRoles, joinedAt, nick: null },
  ];
  const guild: GuildRecord = {
    id: guildId,
    name: "Blitz Sandbox",
    ownerId: owner.id,
    roles,
    channelIds: [categoryId, channelId, arenaChannelId],
    systemChannelId: channelId,
    locale: "en-US",
    members: new Map([
      member(owner.id, [adminRoleId]),
      member(alice.id),
      member(bob.id),
      member(carol.id),
      member(dave.id, [moderatorRoleId]),
      member(otherBot.id),
      member(botUserId, [botRoleId]),
    ]),
  };
  const channels: ChannelRecord[] = [
    {
      id: categoryId,
      guildId,
      type: 4,
      name: "Text Channels",
      position: 0,
      topic: null,
      parentId: null,
    },
    {
      id: channelId,
      guildId,
      type: 0,
      name: "blitz",
      position: 0,
      topic: "Basketball Blitz games",
      parentId: categoryId,
    },
    {
      id: arenaChannelId,
      guildId,
      type: 0,
      name: "arena",
      position: 1,
      topic: "Simulated players at play",
      parentId: categoryId,
    },
  ];
  return {
    users: [alice, bob, carol, dave, owner, otherBot],
    guild,
    channels,
    channelId,
    arenaChannelId,
  };
}
