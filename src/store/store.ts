/**
 * The store: the only place that writes SQL. Holds the open database and the repositories
 * the services use; a PostgreSQL store could implement the same surface later.
 */
import type { DatabaseSync } from "node:sqlite";
import { type OpenDatabaseOptions, openDatabase } from "./db.ts";

/** The operations every part of Blitz may ask of the store. */
export interface Store {
  /** Path of the database file. */
  readonly path: string;
  /** The underlying connection, for repositories in this folder only. */
  readonly db: DatabaseSync;
  readonly schemaVersion: number;
  /** Runs a trivial query: does the database answer? */
  ping(): boolean;
  /** Reads a global setting. */
  getSetting(key: string): string | undefined;
  /** Writes a global setting. */
  setSetting(key: string, value: string): void;
  /** Checkpoints the WAL into the main file and closes the connection. Idempotent. */
  close(): void;
}

/** Opens the database at `path` and returns the store over it. */
export function openStore(path: string, options: OpenDatabaseOptions = {}): Store & {
  previousVersion: number;
  created: boolean;
} {
  const opened = openDatabase(path, options);
  const { db } = opened;
  const getSetting = db.prepare("SELECT value FROM settings WHERE key = ?");
  const putSetting = db.prepare(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const ping = db.prepare("SELECT 1 AS one");
  let closed = false;
  return {
    path,
    db,
    schemaVersion: opened.version,
    previousVersion: opened.previousVersion,
    created: opened.created,
    ping: () => {
      if (closed) return false;
      return (ping.get() as { one: number } | undefined)?.one === 1;
    },
    getSetting: (key) => (getSetting.get(key) as { value: string } | undefined)?.value,
    setSetting: (key, value) => {
      putSetting.run(key, value);
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } finally {
        db.close();
      }
    },
  };
}
