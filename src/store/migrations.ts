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
  {
    version: 2,
    description: "players, per-guild records and games",
    sql: `
      CREATE TABLE players (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        rating INTEGER NOT NULL DEFAULT 1000,
        wins INTEGER NOT NULL DEFAULT 0,
        losses INTEGER NOT NULL DEFAULT 0,
        points_for INTEGER NOT NULL DEFAULT 0,
        points_against INTEGER NOT NULL DEFAULT 0,
        games_played INTEGER NOT NULL DEFAULT 0,
        last_seen INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX players_by_rating ON players (rating DESC, id);

      CREATE TABLE guild_players (
        guild_id TEXT NOT NULL,
        player_id TEXT NOT NULL REFERENCES players (id),
        wins INTEGER NOT NULL DEFAULT 0,
        losses INTEGER NOT NULL DEFAULT 0,
        games_played INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (guild_id, player_id)
      ) STRICT, WITHOUT ROWID;

      -- One row per game. picks holds one character per resolved possession (src/game
      -- encodeRecords); the state is rebuilt from it. pending_* are the picks of the current
      -- possession, committed before the picker sees them confirmed. deadline is the shot
      -- clock of the current possession, or the expiry of an unanswered challenge (ms epoch).
      CREATE TABLE games (
        id INTEGER PRIMARY KEY,
        guild_id TEXT,
        channel_id TEXT,
        message_id TEXT,
        mode TEXT NOT NULL CHECK (mode IN ('solo', 'challenge')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'completed', 'abandoned', 'forfeited', 'declined', 'expired')),
        home_id TEXT NOT NULL REFERENCES players (id),
        away_id TEXT REFERENCES players (id),
        seed INTEGER NOT NULL,
        possessions INTEGER NOT NULL,
        shot_clock_ms INTEGER NOT NULL,
        picks TEXT NOT NULL DEFAULT '',
        pending_offense TEXT,
        pending_defense TEXT,
        deadline INTEGER,
        home_score INTEGER NOT NULL DEFAULT 0,
        away_score INTEGER NOT NULL DEFAULT 0,
        winner TEXT CHECK (winner IN ('home', 'away')),
        forfeited_by TEXT CHECK (forfeited_by IN ('home', 'away')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        archived INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX games_open_by_home ON games (home_id) WHERE status IN ('pending', 'active');
      CREATE INDEX games_open_by_away ON games (away_id) WHERE status IN ('pending', 'active');
      CREATE INDEX games_open_by_guild ON games (guild_id) WHERE status IN ('pending', 'active');
      CREATE INDEX games_by_finished_at ON games (finished_at) WHERE finished_at IS NOT NULL;
    `,
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
