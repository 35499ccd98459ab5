/**
 * The atomic swap of a restore. The prepared copy sits beside the live database (same file
 * system), fsynced. Before the rename the old database is settled: its WAL checkpointed into
 * the main file and the `-wal`/`-shm` files removed, so the new file can never be paired with
 * the old file's log. Then one `rename()` replaces the file and the directory is fsynced. A
 * crash before the rename leaves the old database whole; after it, the new one.
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { checkpointTruncate } from "../../store/maintenance.ts";
import { fsyncDir, removeQuietly, sizeOf } from "./files.ts";

/** What settling the old database found. */
export interface SettleReport {
  /** The old file's WAL could not be checkpointed (the old database is unusable) and was dropped. */
  droppedWal: boolean;
  detail?: string;
}

/**
 * Checkpoints and removes the `-wal`, `-shm` and `-journal` files of `dbPath`. No connection of
 * this process may be open on it. When `unusable` is true (the old database failed its checks
 * and a raw copy was saved), a WAL that cannot be checkpointed is dropped; otherwise that throws.
 */
export function settleDatabase(dbPath: string, unusable = false): SettleReport {
  const report: SettleReport = { droppedWal: false };
  if (sizeOf(dbPath) === undefined) {
    for (const suffix of ["-wal", "-shm", "-journal"]) removeQuietly(`${dbPath}${suffix}`);
    return report;
  }
  const hasLog = (sizeOf(`${dbPath}-wal`) ?? 0) > 0 || sizeOf(`${dbPath}-journal`) !== undefined;
  if (hasLog) {
    try {
      const db = new DatabaseSync(dbPath);
      try {
        // Reading the schema rolls back a hot journal; the checkpoint empties the WAL.
        db.prepare("SELECT count(*) FROM sqlite_schema").get();
        if (!checkpointTruncate(db)) throw new Error("another connection keeps the WAL busy");
      } finally {
        db.close();
      }
    } catch (error) {
      if (!unusable) {
        throw new Error(
          `Cannot settle "${dbPath}" before the swap: ${(error as Error).message} ` +
            `(is another program using the database? nothing was replaced)`,
          { cause: error },
        );
      }
      report.droppedWal = true;
      report.detail = (error as Error).message;
    }
  }
  if (!unusable && (sizeOf(`${dbPath}-wal`) ?? 0) > 0) {
    throw new Error(
      `Cannot settle "${dbPath}": its WAL is still in use by another connection (nothing was replaced)`,
    );
  }
  removeQuietly(`${dbPath}-wal`);
  removeQuietly(`${dbPath}-shm`);
  removeQuietly(`${dbPath}-journal`);
  fsyncDir(dirname(dbPath));
  return report;
}

/** Replaces `dbPath` by the prepared file in one rename, and makes the rename durable. */
export function swapInto(prepared: string, dbPath: string): void {
  Deno.renameSync(prepared, dbPath);
  fsyncDir(dirname(dbPath));
}
