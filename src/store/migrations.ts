/**
 * The schema, as an ordered list of migrations. Migration N brings `PRAGMA user_version`
 * from N-1 to N and runs in one transaction. Never edit a released migration: add one.
 */

/** One schema step. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, in order. Static list: `deno compile` must see them all. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "settings and per-guild settings",
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE guild_settings (
        guild_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (guild_id, key)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
