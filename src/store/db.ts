/**
 * Opening the SQLite database safely: the file is first inspected read-only (SQLite header,
 * `quick_check`, schema version) so a corrupt or foreign file is never written to; only then
 * is it opened for writing with WAL, `synchronous=NORMAL`, `foreign_keys=ON`, `busy_timeout`,
 * and migrated one transaction per version.
 */
import { DatabaseSync } from "node:sqlite";
import { CorruptDatabaseError, NewerSchemaError } from "./errors.ts";
import { LATEST_SCHEMA_VERSION, type Migration, MIGRATIONS } from "./migrations.ts";

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * SQLite's page cache for the connection, in KiB (SQLite's default is 2,000). The bot's reads
 * are by key, and a page missing from this cache is one read from the OS's file cache: at 512
 * KiB an action cost the same CPU as at 2,000 (within the noise of a few µs, D30), and the cache,
 * which fills as the bot touches pages and then stays full, holds 1–2.5 MiB less native heap.
 */
export const PAGE_CACHE_KIB = 512;

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
  /** Called for each migration applied, e.g. to log it. */
  onMigrate?: (migration: Migration) => void;
}

/** What {@link openDatabase} found and did. */
export interface OpenedDatabase {
  db: DatabaseSync;
  /** Schema version before migrating (0 for a new database). */
  previousVersion: number;
  version: number;
  created: boolean;
}

/** Reads the first bytes: is this a SQLite file at all? Empty or missing files count as new. */
export function looksLikeSqlite(path: string): "missing" | "empty" | "sqlite" | "other" {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
  try {
    const header = new Uint8Array(16);
    const n = file.readSync(header) ?? 0;
    if (n === 0) return "empty";
    return n === 16 && new TextDecoder().decode(header) === SQLITE_HEADER ? "sqlite" : "other";
  } finally {
    file.close();
  }
}

/** Runs `PRAGMA quick_check` (or `integrity_check`) and returns the problems (empty: ok). */
export function checkIntegrity(db: DatabaseSync, full = false): string[] {
  const rows = db.prepare(full ? "PRAGMA integrity_check" : "PRAGMA quick_check").all() as {
    [k: string]: unknown;
  }[];
  const messages = rows.map((row) => String(Object.values(row)[0]));
  return messages.length === 1 && messages[0] === "ok" ? [] : messages;
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

function inspectReadOnly(path: string, known: number): number {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const problems = checkIntegrity(db);
    if (problems.length > 0) {
      throw new CorruptDatabaseError(
        path,
        `integrity check failed: ${problems.slice(0, 3).join("; ")}`,
      );
    }
    const version = schemaVersion(db);
    if (version > known) throw new NewerSchemaError(path, version, known);
    return version;
  } catch (error) {
    if (error instanceof CorruptDatabaseError || error instanceof NewerSchemaError) throw error;
    throw new CorruptDatabaseError(path, (error as Error).message, { cause: error });
  } finally {
    db?.close();
  }
}

/**
 * Opens (creating if needed) and migrates the database at `path`.
 * Throws {@link CorruptDatabaseError} or {@link NewerSchemaError} without writing to the file.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const known = migrations[migrations.length - 1]?.version ?? LATEST_SCHEMA_VERSION;
  const kind = looksLikeSqlite(path);
  if (kind === "other") {
    throw new CorruptDatabaseError(path, "it is not a SQLite database (wrong file header)");
  }
  const previousVersion = kind === "sqlite" ? inspectReadOnly(path, known) : 0;

  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.exec(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`);
    migrate(db, migrations, options.onMigrate);
    return { db, previousVersion, version: schemaVersion(db), created: kind !== "sqlite" };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Applies every migration newer than the database's version, each in its own transaction. */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[] = MIGRATIONS,
  onMigrate?: (migration: Migration) => void,
): void {
  const current = schemaVersion(db);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new Error(
        `Migration ${migration.version} (${migration.description}) failed: ${
          (error as Error).message
        }`,
        {
          cause: error,
        },
      );
    }
    onMigrate?.(migration);
  }
}
