/**
 * Per-guild settings (`/admin settings`): admin channel, stats channel, shot clock,
 * possessions. Stored as text in `guild_settings`; the keys are listed here.
 */
import type { Store } from "./store.ts";

/** The settings a guild may set. */
export const GUILD_SETTING_KEYS = [
  "admin_channel_id",
  "stats_channel_id",
  "shot_clock_seconds",
  "possessions",
] as const;

/** One guild setting key. */
export type GuildSettingKey = typeof GUILD_SETTING_KEYS[number];

/** The guild-settings repository. */
export interface GuildSettingsRepo {
  get(guildId: string, key: GuildSettingKey): string | undefined;
  all(guildId: string): Partial<Record<GuildSettingKey, string>>;
  set(guildId: string, key: GuildSettingKey, value: string): void;
  remove(guildId: string, key: GuildSettingKey): void;
  /** Every value set for `key` across guilds (e.g. every admin channel). */
  valuesOf(key: GuildSettingKey): { guildId: string; value: string }[];
}

/** Creates the repository over a store. */
export function createGuildSettingsRepo(store: Store): GuildSettingsRepo {
  return {
    get: (guildId, key) =>
      (store.prepare("SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?").get(
        guildId,
        key,
      ) as { value: string } | undefined)?.value,
    all(guildId) {
      const rows = store.prepare("SELECT key, value FROM guild_settings WHERE guild_id = ?").all(
        guildId,
      ) as { key: string; value: string }[];
      const out: Partial<Record<GuildSettingKey, string>> = {};
      for (const row of rows) {
        if ((GUILD_SETTING_KEYS as readonly string[]).includes(row.key)) {
          out[row.key as GuildSettingKey] = row.value;
        }
      }
      return out;
    },
    set(guildId, key, value) {
      store.prepare(
        `INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value`,
      ).run(guildId, key, value);
    },
    remove(guildId, key) {
      store.prepare("DELETE FROM guild_settings WHERE guild_id = ? AND key = ?").run(guildId, key);
    },
    valuesOf: (key) =>
      (store.prepare("SELECT guild_id, value FROM guild_settings WHERE key = ? ORDER BY guild_id")
        .all(key) as { guild_id: string; value: string }[]).map((r) => ({
          guildId: r.guild_id,
          value: r.value,
        })),
  };
}
