/**
 * The store: the only place that writes SQL. Holds the open connection and hands out cached
 * prepared statements, so the connection can be closed and reopened (a restore through the
 * running instance) without the repositories holding stale statements.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openDatabase, type OpenDatabaseOptions } from "./db.ts";

/** The operations every part of Blitz may ask of the store. */
export interface Store {
  /** Path of the database file. */
  readonly path: string;
  /** The current connection, for repositories in `src/store/` only. */
  readonly db: DatabaseSync;
  readonly schemaVersion: number;
  /** A prepared statement for `sql`, cached for the current connection. */
  prepare(sql: string): StatementSync;
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT), rolling back if it throws. */
  transaction<T>(fn: () => T): T;
  /** Runs a trivial query: does the database answer? */
  ping(): boolean;
  /** Reads a global setting. */
  getSetting(key: string): string | undefined;
  /** Writes a global setting. */
  setSetting(key: string, value: string): void;
  /** Closes and opens the file again (after it was replaced), migrating as on start. */
  reopen(): void;
  /** Is the connection open? */
  readonly isOpen: boolean;
  /** Checkpoints the WAL into the main file and closes the connection. Idempotent. */
  close(): void;
}

/** Opens the database at `path` and returns the store over it. */
export function openStore(path: string, options: OpenDatabaseOptions = {}): Store & {
  previousVersion: number;
  created: boolean;
} {
  let opened = openDatabase(path, options);
  let statements = new Map<string, StatementSync>();
  let closed = false;
  let depth = 0;

  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = opened.db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const closeConnection = () => {
    statements = new Map();
    try {
      opened.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      opened.db.close();
    }
  };

  return {
    path,
    get db() {
      return opened.db;
    },
    get schemaVersion() {
      return opened.version;
    },
    previousVersion: opened.previousVersion,
    created: opened.created,
    get isOpen() {
      return !closed;
    },
    prepare,
    transaction<T>(fn: () => T): T {
      if (depth > 0) return fn(); // nested: part of the outer transaction
      opened.db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        opened.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (opened.db.isTransaction) opened.db.exec("ROLLBACK");
        throw error;
      } finally {
        depth--;
      }
    },
    ping: () => {
      if (closed) return false;
      return (prepare("SELECT 1 AS one").get() as { one: number } | undefined)?.one === 1;
    },
    getSetting: (key) =>
      (prepare("SELECT value FROM settings WHERE key = ?").get(key) as
        | { value: string }
        | undefined)?.value,
    setSetting: (key, value) => {
      prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(key, value);
    },
    reopen() {
      if (!closed) closeConnection();
      closed = true;
      opened = openDatabase(path, options);
      closed = false;
    },
    close: () => {
      if (closed) return;
      closed = true;
      closeConnection();
    },
  };
}
