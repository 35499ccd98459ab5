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
  {
    version: 3,
    description: "job runs, audit log, feature flags and hourly counters",
    sql: `
      -- The scheduler: one row per job it has known (first_seen_at is the baseline for
      -- catch-up before a job's first success), one row per run.
      CREATE TABLE scheduler_jobs (
        name TEXT PRIMARY KEY,
        first_seen_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'retry', 'manual')),
        attempt INTEGER NOT NULL DEFAULT 1,
        scheduled_at INTEGER,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'success', 'failure', 'skipped', 'interrupted')),
        detail TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX job_runs_by_job ON job_runs (job, started_at DESC);
      CREATE INDEX job_runs_by_started ON job_runs (started_at);

      -- Every admin action and automatic action: who, what, when, outcome.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('discord', 'api', 'system', 'cli')),
        guild_id TEXT,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed'))
      ) STRICT;
      CREATE INDEX audit_log_by_at ON audit_log (at DESC);

      CREATE TABLE feature_flags (
        name TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        reason TEXT NOT NULL DEFAULT '',
        changed_by TEXT NOT NULL DEFAULT '',
        changed_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Counters that survive restarts, per hour (hour = floor(ms epoch / 3600000)):
      -- commands, command errors, errors by category. Read by the reports.
      CREATE TABLE hourly_counters (
        hour INTEGER NOT NULL,
        name TEXT NOT NULL,
        value INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, name)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
