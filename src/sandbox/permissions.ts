/**
 * Discord permission bits (a subset large enough for a game bot) and the sandbox's
 * permission arithmetic. Bitfields travel as decimal strings, as in Discord's API.
 *
 * @module
 */

/** Permission flags, by Discord's names. */
export const Permission = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  PRIORITY_SPEAKER: 1n << 8n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  VIEW_GUILD_INSIGHTS: 1n << 19n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MOVE_MEMBERS: 1n << 24n,
  USE_VAD: 1n << 25n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  REQUEST_TO_SPEAK: 1n << 32n,
  MANAGE_EVENTS: 1n << 33n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  CREATE_PRIVATE_THREADS: 1n << 36n,
  USE_EXTERNAL_STICKERS: 1n << 37n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  USE_EMBEDDED_ACTIVITIES: 1n << 39n,
  MODERATE_MEMBERS: 1n << 40n,
  VIEW_CREATOR_MONETIZATION_ANALYTICS: 1n << 41n,
  USE_SOUNDBOARD: 1n << 42n,
  CREATE_GUILD_EXPRESSIONS: 1n << 43n,
  CREATE_EVENTS: 1n << 44n,
  USE_EXTERNAL_SOUNDS: 1n << 45n,
  SEND_VOICE_MESSAGES: 1n << 46n,
  SEND_POLLS: 1n << 49n,
  USE_EXTERNAL_APPS: 1n << 50n,
  PIN_MESSAGES: 1n << 51n,
} as const;

/** Every permission the sandbox knows: what an administrator or the owner holds. */
export const ALL_PERMISSIONS: bigint = Object.values(Permission).reduce(
  (all, bit) => all | bit,
  0n,
);

/** What @everyone may do in a new guild: talk, read, react and use apps, nothing more. */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint = [
  Permission.CREATE_INSTANT_INVITE,
  Permission.ADD_REACTIONS,
  Permission.STREAM,
  Permission.VIEW_CHANNEL,
  Permission.SEND_MESSAGES,
  Permission.EMBED_LINKS,
  Permission.ATTACH_FILES,
  Permission.READ_MESSAGE_HISTORY,
  Permission.MENTION_EVERYONE,
  Permission.USE_EXTERNAL_EMOJIS,
  Permission.CONNECT,
  Permission.SPEAK,
  Permission.USE_VAD,
  Permission.CHANGE_NICKNAME,
  Permission.USE_APPLICATION_COMMANDS,
  Permission.REQUEST_TO_SPEAK,
  Permission.CREATE_PUBLIC_THREADS,
  Permission.CREATE_PRIVATE_THREADS,
  Permission.USE_EXTERNAL_STICKERS,
  Permission.SEND_MESSAGES_IN_THREADS,
  Permission.USE_EMBEDDED_ACTIVITIES,
  Permission.USE_SOUNDBOARD,
  Permission.USE_EXTERNAL_SOUNDS,
  Permission.SEND_VOICE_MESSAGES,
  Permission.SEND_POLLS,
  Permission.USE_EXTERNAL_APPS,
].reduce((all, bit) => all | bit, 0n);

/**
 * A member's guild-level permissions: @everyone's plus those of each role; everything for
 * the owner or anyone holding ADMINISTRATOR. Channel overwrites are not modelled yet.
 */
export function memberPermissions(input: {
  everyone: bigint;
  rolePermissions: bigint[];
  isOwner: boolean;
}): bigint {
  if (input.isOwner) return ALL_PERMISSIONS;
  const total = input.rolePermissions.reduce((all, bits) => all | bits, input.everyone);
  return (total & Permission.ADMINISTRATOR) !== 0n ? ALL_PERMISSIONS : total;
}
