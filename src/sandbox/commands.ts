/**
 * Application commands: bulk overwrite (global or per guild) with Discord's validation, ids
 * kept for commands whose name and type survive an overwrite, and a new `version` whenever a
 * definition changes.
 *
 * @module
 */
import { createFormErrors, type FormErrors, type FormErrorTree } from "./errors.ts";
import type { World } from "./state.ts";

/** A stored command, serialised as Discord returns it. */
// deno-lint-ignore no-explicit-any
export type ApplicationCommand = Record<string, any> & {
  id: string;
  name: string;
  type: number;
  guild_id?: string;
};

/** The command registry. */
export interface CommandRegistry {
  /** Replaces the global (no guildId) or a guild's commands. */
  overwrite(
    guildId: string | undefined,
    body: unknown,
  ): { commands: ApplicationCommand[] } | { errors: FormErrorTree };
  /** Global commands (no guildId) or one guild's. */
  list(guildId?: string): ApplicationCommand[];
  /** Every registered command, global first. */
  all(): ApplicationCommand[];
  /** The CHAT_INPUT command a user in `guildId` would run by this name: guild first, then global. */
  find(name: string, guildId: string): ApplicationCommand | undefined;
}

const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS: Record<number, number> = { 1: 100, 2: 15, 3: 15, 4: 1 };
const OPTION_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkName(errors: FormErrors, at: (string | number)[], name: unknown, chatInput: boolean) {
  if (typeof name !== "string") {
    errors.add([...at, "name"], "BASE_TYPE_REQUIRED", "This field is required");
  } else if ([...name].length < 1 || [...name].length > 32) {
    errors.add([...at, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.");
  } else if (chatInput && (!NAME_PATTERN.test(name) || name !== name.toLowerCase())) {
    errors.add([...at, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
  }
}

function checkDescription(errors: FormErrors, at: (string | number)[], description: unknown) {
  if (typeof description !== "string") {
    errors.add([...at, "description"], "BASE_TYPE_REQUIRED", "This field is required");
  } else if ([...description].length < 1 || [...description].length > 100) {
    errors.add(
      [...at, "description"],
      "BASE_TYPE_BAD_LENGTH",
      "Must be between 1 and 100 in length.",
    );
  }
}

function checkOptions(
  errors: FormErrors,
  at: (string | number)[],
  options: unknown,
  depth: number,
) {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errors.add([...at, "options"], "BASE_TYPE_LIST", "Must be a list.");
    return;
  }
  if (options.length > 25) {
    errors.add([...at, "options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  }
  const names = new Set<string>();
  let sawOptional = false;
  options.forEach((option, i) => {
    const here = [...at, "options", i];
    if (!isObject(option)) {
      errors.add(here, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
      return;
    }
    checkName(errors, here, option.name, true);
    checkDescription(errors, here, option.description);
    if (!OPTION_TYPES.includes(option.type as number)) {
      errors.add(
        [...here, "type"],
        "BASE_TYPE_CHOICES",
        `Value must be one of {${OPTION_TYPES.join(", ")}}.`,
      );
    }
    if (typeof option.name === "string") {
      if (names.has(option.name)) {
        errors.add(
          [...here, "name"],
          "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
          `Option name ${option.name} is already used in these options`,
        );
      }
      names.add(option.name);
    }
    if (option.required === true && sawOptional) {
      errors.add(
        [...here, "required"],
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        "Required options must be placed before non-required options",
      );
    }
    if (option.required !== true && option.type !== 1 && option.type !== 2) sawOptional = true;
    if (Array.isArray(option.choices) && option.choices.length > 25) {
      errors.add([...here, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    }
    // Groups hold subcommands, subcommands hold values: at most two levels of nesting.
    const nests = option.type === 1 || option.type === 2;
    if (nests && depth >= (option.type === 2 ? 1 : 2)) {
      errors.add(
        [...here, "type"],
        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
        "Sub-command and sub-command group option types are mutually exclusive to all other types",
      );
    }
    if (nests) checkOptions(errors, here, option.options, depth + 1);
  });
}

/** Validates a bulk-overwrite body; returns the error tree, or undefined when valid. */
export function validateCommands(body: unknown): FormErrorTree | undefined {
  const errors = createFormErrors();
  if (!Array.isArray(body)) {
    errors.add([], "BASE_TYPE_LIST", "Must be a list.");
    return errors.tree;
  }
  const counts: Record<number, number> = {};
  const seen = new Set<string>();
  body.forEach((command, i) => {
    if (!isObject(command)) {
      errors.add([i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
      return;
    }
    const type = command.type === undefined ? 1 : command.type;
    if (![1, 2, 3, 4].includes(type as number)) {
      errors.add([i, "type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.");
      return;
    }
    counts[type as number] = (counts[type as number] ?? 0) + 1;
    checkName(errors, [i], command.name, type === 1);
    if (type === 1) checkDescription(errors, [i], command.description);
    checkOptions(errors, [i], command.options, 0);
    const key = `${type}:${command.name}`;
    if (seen.has(key)) {
      errors.add(
        [i, "name"],
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
        "Application command names must be unique",
      );
    }
    seen.add(key);
  });
  for (const [type, count] of Object.entries(counts)) {
    const max = MAX_COMMANDS[Number(type)] ?? 0;
    if (count > max) errors.add([], "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
  }
  return errors.empty ? undefined : errors.tree;
}

function sameDefinition(old: ApplicationCommand, definition: Record<string, unknown>): boolean {
  const { id: _id, version: _version, ...rest } = old;
  return JSON.stringify(rest) === JSON.stringify(definition);
}

/** Creates an empty command registry for the world's application. */
export function createCommandRegistry(world: World): CommandRegistry {
  const scopes = new Map<string, ApplicationCommand[]>();
  const scopeKey = (guildId?: string) => guildId ?? "global";

  return {
    overwrite(guildId, body) {
      const errors = validateCommands(body);
      if (errors) return { errors };
      const previous = scopes.get(scopeKey(guildId)) ?? [];
      const commands = (body as Record<string, unknown>[]).map((input) => {
        const type = (input.type as number | undefined) ?? 1;
        const old = previous.find((c) => c.name === input.name && c.type === type);
        const definition = {
          application_id: world.applicationId,
          type,
          name: input.name as string,
          name_localizations: input.name_localizations ?? null,
          description: type === 1 ? input.description as string : "",
          description_localizations: input.description_localizations ?? null,
          default_member_permissions: input.default_member_permissions ?? null,
          ...(guildId ? { guild_id: guildId } : { dm_permission: input.dm_permission ?? true }),
          contexts: input.contexts ?? null,
          integration_types: input.integration_types ?? [0],
          nsfw: input.nsfw === true,
          ...(Array.isArray(input.options) && input.options.length
            ? { options: input.options }
            : {}),
        };
        const unchanged = old !== undefined && sameDefinition(old, definition);
        return {
          id: old?.id ?? world.ids.next(),
          version: old && unchanged ? old.version : world.ids.next(),
          ...definition,
        } as ApplicationCommand;
      });
      scopes.set(scopeKey(guildId), commands);
      world.feed.notify();
      return { commands };
    },
    list: (guildId) => [...(scopes.get(scopeKey(guildId)) ?? [])],
    all() {
      const global = scopes.get("global") ?? [];
      const guilds = [...scopes.entries()].filter(([k]) => k !== "global").flatMap(([, v]) => v);
      return [...global, ...guilds];
    },
    find(name, guildId) {
      const match = (c: ApplicationCommand) => c.name === name && c.type === 1;
      return scopes.get(guildId)?.find(match) ?? scopes.get("global")?.find(match);
    },
  };
}
