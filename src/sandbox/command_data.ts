/**
 * Turns what a user types for a slash command into the `data` of an APPLICATION_COMMAND
 * interaction, checked against the registered definition as Discord's client would: only
 * defined options, right types, choices and bounds respected, required options present.
 *
 * @module
 */
import type { ApplicationCommand } from "./commands.ts";
import { channelObject, memberObject, roleObject, type World } from "./state.ts";
import type { CommandOptionInput } from "./types.ts";

/** Option types, by Discord's names. */
export const OptionType = {
  SUB_COMMAND: 1,
  SUB_COMMAND_GROUP: 2,
  STRING: 3,
  INTEGER: 4,
  BOOLEAN: 5,
  USER: 6,
  CHANNEL: 7,
  ROLE: 8,
  MENTIONABLE: 9,
  NUMBER: 10,
  ATTACHMENT: 11,
} as const;

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** The interaction `data`, or why a user could not have sent it. */
export type CommandDataResult = { data: Json } | { error: string };

interface Resolved {
  users: Json;
  members: Json;
  roles: Json;
  channels: Json;
}

/** Builds interaction data for running `command` in `guildId`. */
export function buildCommandData(
  world: World,
  command: ApplicationCommand,
  guildId: string,
  input: { userId: string; options?: CommandOptionInput[]; subcommand?: string },
): CommandDataResult {
  const path = input.subcommand?.trim().split(/\s+/).filter(Boolean) ?? [];
  const topDefs: Json[] = Array.isArray(command.options) ? command.options : [];
  const nests = topDefs.some((o) =>
    o.type === OptionType.SUB_COMMAND || o.type === OptionType.SUB_COMMAND_GROUP
  );
  let defs = topDefs;
  const chain: Json[] = [];
  if (nests) {
    if (path.length === 0) return { error: `Command "/${command.name}" needs a subcommand` };
    for (const name of path) {
      const def = defs.find((o) =>
        o.name === name &&
        (o.type === OptionType.SUB_COMMAND || o.type === OptionType.SUB_COMMAND_GROUP)
      );
      if (!def) {
        return { error: `Command "/${command.name}" has no subcommand "${path.join(" ")}"` };
      }
      chain.push(def);
      defs = Array.isArray(def.options) ? def.options : [];
    }
    if (chain.at(-1)?.type !== OptionType.SUB_COMMAND) {
      return {
        error: `"/${command.name} ${path.join(" ")}" is a group: name one of its subcommands`,
      };
    }
  } else if (path.length > 0) {
    return { error: `Command "/${command.name}" has no subcommands` };
  }

  const resolved: Resolved = { users: {}, members: {}, roles: {}, channels: {} };
  const values: Json[] = [];
  for (const option of input.options ?? []) {
    const def = defs.find((d) => d.name === option.name);
    if (!def) {
      const known = defs.map((d) => d.name).join(", ") || "none";
      return {
        error: `Command "/${command.name}" has no option "${option.name}" (options: ${known})`,
      };
    }
    const problem = checkValue(
      world,
      { guildId, userId: input.userId },
      def,
      option.value,
      resolved,
    );
    if (problem) return { error: `Option "${option.name}": ${problem}` };
    values.push({ name: def.name, type: def.type, value: option.value });
  }
  const missing = defs.filter((d) => d.required === true && !values.some((v) => v.name === d.name));
  if (missing.length) {
    return { error: `Required option(s) missing: ${missing.map((d) => d.name).join(", ")}` };
  }

  let options: Json[] = values;
  for (const def of [...chain].reverse()) options = [{ name: def.name, type: def.type, options }];
  const resolvedOut = Object.fromEntries(
    Object.entries(resolved).filter(([, map]) => Object.keys(map).length > 0),
  );
  return {
    data: {
      id: command.id,
      name: command.name,
      type: command.type,
      ...(options.length ? { options } : {}),
      ...(Object.keys(resolvedOut).length ? { resolved: resolvedOut } : {}),
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    },
  };
}

function checkValue(
  world: World,
  { guildId, userId }: { guildId: string; userId: string },
  def: Json,
  value: unknown,
  resolved: Resolved,
): string | undefined {
  const guild = world.guild(guildId);
  switch (def.type) {
    case OptionType.STRING:
      if (typeof value !== "string") return "must be a string";
      if (typeof def.min_length === "number" && [...value].length < def.min_length) {
        return `shorter than ${def.min_length}`;
      }
      if (typeof def.max_length === "number" && [...value].length > def.max_length) {
        return `longer than ${def.max_length}`;
      }
      return checkChoices(def, value);
    case OptionType.INTEGER:
    case OptionType.NUMBER:
      if (typeof value !== "number" || !Number.isFinite(value)) return "must be a number";
      if (def.type === OptionType.INTEGER && !Number.isInteger(value)) return "must be an integer";
      if (typeof def.min_value === "number" && value < def.min_value) {
        return `below ${def.min_value}`;
      }
      if (typeof def.max_value === "number" && value > def.max_value) {
        return `above ${def.max_value}`;
      }
      return checkChoices(def, value);
    case OptionType.BOOLEAN:
      return typeof value === "boolean" ? undefined : "must be a boolean";
    case OptionType.USER:
      return resolveUser(world, guildId, String(value), resolved)
        ? undefined
        : `unknown user "${value}"`;
    case OptionType.ROLE: {
      const role = guild?.roles.find((r) => r.id === String(value));
      if (!role) return `unknown role "${value}"`;
      resolved.roles[role.id] = roleObject(role);
      return undefined;
    }
    case OptionType.MENTIONABLE: {
      const role = guild?.roles.find((r) => r.id === String(value));
      if (role) {
        resolved.roles[role.id] = roleObject(role);
        return undefined;
      }
      return resolveUser(world, guildId, String(value), resolved)
        ? undefined
        : `unknown user or role "${value}"`;
    }
    case OptionType.CHANNEL: {
      const channel = world.channel(String(value));
      if (!channel || channel.guildId !== guildId) return `unknown channel "${value}"`;
      if (Array.isArray(def.channel_types) && !def.channel_types.includes(channel.type)) {
        return `channel type ${channel.type} is not allowed`;
      }
      const { id, name, type, guild_id, parent_id, position, flags } = channelObject(channel);
      resolved.channels[channel.id] = {
        id,
        name,
        type,
        guild_id,
        parent_id,
        position,
        flags,
        // The invoking user's permissions (no channel overwrites are modelled).
        permissions: (world.permissionsOf(guildId, userId) ?? 0n).toString(),
      };
      return undefined;
    }
    default:
      return `option type ${def.type} is not supported by the sandbox yet`;
  }
}

function checkChoices(def: Json, value: unknown): string | undefined {
  if (!Array.isArray(def.choices) || def.choices.length === 0) return undefined;
  return def.choices.some((c: Json) => c.value === value)
    ? undefined
    : `must be one of ${def.choices.map((c: Json) => JSON.stringify(c.value)).join(", ")}`;
}

function resolveUser(world: World, guildId: string, id: string, resolved: Resolved): boolean {
  const user = world.user(id);
  if (!user) return false;
  resolved.users[id] = user;
  const guild = world.guild(guildId);
  const member = guild
    ? memberObject(world, guild, id, { withUser: false, permissions: true })
    : undefined;
  if (member) {
    const { deaf: _d, mute: _m, ...partial } = member;
    resolved.members[id] = partial;
  }
  return true;
}
