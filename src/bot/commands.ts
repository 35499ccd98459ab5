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

/** Where the bot remembers what it registered last (the `settings` table). */
export interface CommandSyncMemory {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** What a sync did. */
export interface CommandSyncResult {
  count: number;
  /** False when Discord already had exactly these commands and nothing was sent. */
  changed: boolean;
}

interface Remembered {
  hash: string;
  versions: Record<string, string>;
}

async function hashOf(definitions: readonly CommandDefinition[]): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(definitions));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const versionsOf = (commands: ReadonlyArray<{ name: string; version?: unknown }>) =>
  Object.fromEntries(commands.map((c) => [c.name, String(c.version ?? "")]));

/**
 * Registers our commands (globally, or in `guildId` for instant updates), but only when they
 * differ from what we registered last: overwriting on every start spends the route's limit of
 * 5 per 20 s, and quick restarts then wait for it. "The same" means the definitions hash to what
 * we last sent and Discord still lists exactly those commands at the versions it gave us then
 * (any change made elsewhere bumps a version). When in doubt it overwrites.
 */
export async function syncCommands(
  rest: RestManager,
  definitions: readonly CommandDefinition[],
  guildId?: string,
  memory?: CommandSyncMemory,
): Promise<CommandSyncResult> {
  const key = `discord.commands.${guildId ?? "global"}`;
  const hash = await hashOf(definitions);
  const previous = (() => {
    try {
      return JSON.parse(memory?.get(key) ?? "null") as Remembered | null;
    } catch {
      return null;
    }
  })();
  if (previous?.hash === hash) {
    try {
      const current = guildId
        ? await rest.getGuildApplicationCommands(guildId)
        : await rest.getGlobalApplicationCommands();
      const now = versionsOf(current as unknown as Array<{ name: string; version?: unknown }>);
      const same = Object.keys(now).length === definitions.length &&
        definitions.every((d) =>
          now[d.name] !== undefined && now[d.name] === previous.versions[d.name]
        );
      if (same) return { count: definitions.length, changed: false };
    } catch {
      // Could not list them: overwrite, as before.
    }
  }
  // deno-lint-ignore no-explicit-any
  const body = definitions as any;
  const synced = guildId
    ? await rest.upsertGuildApplicationCommands(guildId, body)
    : await rest.upsertGlobalApplicationCommands(body);
  memory?.set(
    key,
    JSON.stringify(
      {
        hash,
        versions: versionsOf(synced as unknown as Array<{ name: string; version?: unknown }>),
      } satisfies Remembered,
    ),
  );
  return { count: synced.length, changed: true };
}
