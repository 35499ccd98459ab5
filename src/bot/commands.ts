/**
 * Slash command definitions, listed statically (a compiled binary cannot scan folders),
 * and their sync to Discord on start.
 */
import type { RestManager } from "@discordeno/bot";

/** A command definition in Discord's format. */
export interface CommandDefinition {
  name: string;
  description: string;
  type?: number;
  options?: unknown[];
  default_member_permissions?: string | null;
  dm_permission?: boolean;
}

/** `/ping`: shows that Blitz answers. */
export const PING_COMMAND: CommandDefinition = {
  name: "ping",
  description: "Show that Blitz answers, with the gateway latency",
  type: 1,
};

/** Replaces the registered commands with ours (globally, or in `guildId` for instant updates). */
export async function syncCommands(
  rest: RestManager,
  definitions: readonly CommandDefinition[],
  guildId?: string,
): Promise<number> {
  // deno-lint-ignore no-explicit-any
  const body = definitions as any;
  const synced = guildId
    ? await rest.upsertGuildApplicationCommands(guildId, body)
    : await rest.upsertGlobalApplicationCommands(body);
  return synced.length;
}
