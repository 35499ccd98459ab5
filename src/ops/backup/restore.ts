/**
 * Restore: verify the backup, keep a pre-restore backup of the current database, prepare a
 * verified copy beside it, then swap atomically (see `swap.ts`) and reopen, which migrates a
 * backup from an older schema. In the running instance the store is closed and reopened around
 * the swap, between the app's `beforeSwap` (pause) and `afterSwap` (resume) callbacks.
 */
import { basename, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";
import { CorruptDatabaseError, openStore } from "../../store/mod.ts";
import type { Store } from "../../store/store.ts";
import { schemaVersion } from "../../store/db.ts";
import { tableRowCounts } from "../../store/maintenance.ts";
import { VERSION } from "../../version.ts";
import { lockOwner, StoreLockedError } from "../lock.ts";
import { InvalidBackupError, type InvalidBackupReason } from "./errors.ts";
import { fsyncDir, fsyncFileAsync, removeQuietly, sha256File, sizeOf } from "./files.ts";
import { type BackupEntry, readManifest, removeStaleTempFiles } from "./manifest.ts";
import { backupFileName } from "./naming.ts";
import type { JobRunner } from "./runner.ts";
import { settleDatabase, swapInto } from "./swap.ts";
import type { VerifyReport } from "./types.ts";

/** The database a restore would replace. */
export interface CurrentDatabase {
  path: string;
  exists: boolean;
  sizeBytes: number;
  /** Last write (the file or its WAL), ISO. */
  modifiedAt?: string;
  ageSeconds?: number;
  schemaVersion?: number;
  rowCounts?: Record<string, number>;
  /** Why it cannot be read, when it cannot. */
  problem?: string;
}

/** What a restore will do, shown before asking for confirmation. */
export interface RestorePlan {
  path: string;
  entry?: BackupEntry;
  verify: VerifyReport;
  backupAgeSeconds?: number;
  current: CurrentDatabase;
}

/** What a restore did. */
export interface RestoreResult {
  restored: { path: string; schemaVersion: number; rowCounts: Record<string, number> };
  /** The safety copy of the database that was replaced (absent when there was none). */
  preRestore?: BackupEntry;
  /** The schema version the restored database was migrated from, when it was older. */
  migratedFrom?: number;
  schemaVersion: number;
  durationMs: number;
  /** How long the app was paused (in-process restores). */
  pausedMs: number;
}

/** What the restorer needs from the service. */
export interface RestorerDeps {
  dataDir: string;
  dbPath: string;
  backupDir: string;
  clock: Clock;
  logger: Logger;
  store?: Store;
  runner: JobRunner;
  beforeSwap?: () => void | Promise<void>;
  afterSwap?: () => void | Promise<void>;
  verify(file: string, options?: { record?: boolean }): Promise<VerifyReport>;
  resolveFile(file: string): string;
  takePreRestoreBackup(label: string): Promise<{ path: string; entry: BackupEntry }>;
  recordRawCopy(entry: BackupEntry): Promise<void>;
}

const HINTS: Record<InvalidBackupReason, string> = {
  "missing": "check the path, or pick one from `blitz backup list`",
  "not-sqlite": "it is not a Blitz backup; pick one from `blitz backup list`",
  "empty": "pick another backup from `blitz backup list`",
  "truncated": "the copy is incomplete; pick another backup from `blitz backup list`",
  "checksum":
    "it was modified or damaged after it was made; pick another backup from `blitz backup list`",
  "not-blitz":
    "it looks like another program's database; pick a Blitz backup from `blitz backup list`",
  "newer-schema": "restore it with the newer Blitz that made it",
  "schema-version": "the file does not match its manifest entry; pick another backup",
  "integrity": "it is damaged; pick another backup from `blitz backup list`",
  "row-counts": "the file does not match its manifest entry; pick another backup",
  "unreadable": "check its permissions and the free space beside it",
};

/** Reads what the current database holds, without writing to it. */
function describeCurrent(dbPath: string, store: Store | undefined, nowMs: number): CurrentDatabase {
  const size = sizeOf(dbPath);
  if (size === undefined) return { path: dbPath, exists: false, sizeBytes: 0 };
  const mtimes = [dbPath, `${dbPath}-wal`].map((p) => {
    try {
      return Deno.statSync(p).mtime?.getTime() ?? 0;
    } catch {
      return 0;
    }
  });
  const modified = Math.max(...mtimes);
  const current: CurrentDatabase = {
    path: dbPath,
    exists: true,
    sizeBytes: size,
    ...(modified > 0
      ? {
        modifiedAt: new Date(modified).toISOString(),
        ageSeconds: Math.max(0, Math.round((nowMs - modified) / 1000)),
      }
      : {}),
  };
  let db: DatabaseSync | undefined;
  try {
    const reader = store?.isOpen ? store.db : (db = new DatabaseSync(dbPath, { readOnly: true }));
    current.schemaVersion = schemaVersion(reader);
    current.rowCounts = tableRowCounts(reader);
  } catch (error) {
    current.problem = (error as Error).message;
  } finally {
    db?.close();
  }
  return current;
}

/** Creates the restore steps the service exposes. */
export function createRestorer(deps: RestorerDeps) {
  const { dbPath, dataDir, logger } = deps;

  const plan = async (file: string): Promise<RestorePlan> => {
    // A restore only reads: a failed check is reported, not recorded (`blitz backup verify` records).
    const report = await deps.verify(file, { record: false });
    if (!report.result.ok) {
      const reason = report.result.reason ?? "integrity";
      throw new InvalidBackupError(
        report.path,
        reason,
        `${report.result.problems.join("; ")} (${HINTS[reason]})`,
      );
    }
    const created = report.entry ? Date.parse(report.entry.createdAt) : undefined;
    return {
      path: report.path,
      entry: report.entry,
      verify: report,
      ...(created
        ? { backupAgeSeconds: Math.max(0, Math.round((deps.clock.now() - created) / 1000)) }
        : {}),
      current: describeCurrent(dbPath, deps.store, deps.clock.now()),
    };
  };

  /** Keeps the bytes of a database that cannot be snapshotted (it is unusable) before replacing it. */
  const rawCopy = async (current: CurrentDatabase, backupFile: string): Promise<BackupEntry> => {
    const started = performance.now();
    const createdAtMs = deps.clock.now();
    Deno.mkdirSync(deps.backupDir, { recursive: true });
    const recorded = new Set(readManifestSafe(deps.backupDir).map((e) => e.file));
    const name = backupFileName(createdAtMs, "pre-restore", {
      label: "unusable",
      taken: (n) => recorded.has(n) || sizeOf(join(deps.backupDir, n)) !== undefined,
    });
    const target = join(deps.backupDir, name);
    const partial = join(deps.backupDir, `.${name}.partial-${Deno.pid}`);
    try {
      await Deno.copyFile(dbPath, partial);
      await fsyncFileAsync(partial);
      Deno.renameSync(partial, target);
      if ((sizeOf(`${dbPath}-wal`) ?? 0) > 0) {
        await Deno.copyFile(`${dbPath}-wal`, `${target}-wal`);
        await fsyncFileAsync(`${target}-wal`);
      }
      fsyncDir(deps.backupDir);
    } catch (error) {
      removeQuietly(partial);
      removeQuietly(target);
      removeQuietly(`${target}-wal`);
      throw error;
    }
    const sha256 = await sha256File(target);
    const size = sizeOf(target) ?? 0;
    const entry: BackupEntry = {
      file: name,
      kind: "pre-restore",
      label: `raw copy of the unusable database, before restoring ${basename(backupFile)}`,
      createdAt: new Date(createdAtMs).toISOString(),
      schemaVersion: 0,
      rowCounts: {},
      sizeBytes: size,
      databaseBytes: size,
      sha256,
      databaseSha256: sha256,
      compressed: false,
      durationMs: Math.round(performance.now() - started),
      blitzVersion: VERSION,
      verified: {
        at: new Date(deps.clock.now()).toISOString(),
        ok: false,
        problems: [
          `a byte copy of a database that could not be read: ${
            current.problem ?? "unknown problem"
          }`,
        ],
      },
    };
    await deps.recordRawCopy(entry);
    return entry;
  };

  /** Opens the swapped-in database (migrating an older schema) and returns its schema version. */
  const reopen = (): number => {
    if (deps.store) {
      deps.store.reopen();
      return deps.store.schemaVersion;
    }
    const store = openStore(dbPath, {
      onMigrate: (m) => logger.info("Applied migration {version}: {description}", { ...m }),
    });
    const version = store.schemaVersion;
    store.close();
    return version;
  };

  const restore = async (fileOrPlan: string | RestorePlan): Promise<RestoreResult> => {
    const started = performance.now();
    if (!deps.store) {
      const owner = lockOwner(dataDir);
      if (owner) throw new StoreLockedError(dataDir, owner.pid);
    }
    removeStaleTempFiles(
      dataDir,
      (pid) => pid === Deno.pid || lockOwnerAliveSafe(pid),
      `.${basename(dbPath)}.partial-`,
    );
    const planned = typeof fileOrPlan === "string"
      ? await plan(deps.resolveFile(fileOrPlan))
      : fileOrPlan;
    const backupName = basename(planned.path);

    let preRestore: BackupEntry | undefined;
    let preRestorePath: string | undefined;
    if (planned.current.exists) {
      try {
        const taken = await deps.takePreRestoreBackup(`before restoring ${backupName}`);
        preRestore = taken.entry;
        preRestorePath = taken.path;
      } catch (error) {
        if (!(error instanceof CorruptDatabaseError) || deps.store) {
          throw new Error(
            `Restore refused: the pre-restore backup of the current database failed, so nothing was replaced: ` +
              `${(error as Error).message}`,
            { cause: error },
          );
        }
        logger.warn(
          "The current database cannot be snapshotted ({message}); keeping a byte copy instead",
          {
            message: (error as Error).message,
          },
        );
        planned.current.problem ??= (error as Error).message;
        preRestore = await rawCopy(planned.current, planned.path);
      }
    }

    const prepared = join(dataDir, `.${basename(dbPath)}.partial-${Deno.pid}`);
    removeQuietly(prepared);
    await deps.runner({
      op: "prepare",
      path: planned.path,
      target: prepared,
      expectedDatabaseSha256: planned.verify.result.databaseSha256,
    });

    const pausedAt = performance.now();
    let swapped = false;
    let schemaAfter: number;
    try {
      await deps.beforeSwap?.();
      try {
        deps.store?.close();
        settleDatabase(dbPath, planned.current.problem !== undefined);
        swapInto(prepared, dbPath);
        swapped = true;
        schemaAfter = reopen();
      } catch (error) {
        removeQuietly(prepared);
        if (swapped && preRestorePath && preRestore?.verified.ok) {
          await putBack(preRestorePath, preRestore, error as Error);
        } else if (!swapped && deps.store && !deps.store.isOpen) {
          deps.store.reopen();
        }
        throw error;
      }
    } finally {
      try {
        await deps.afterSwap?.();
      } catch (error) {
        logger.error("The afterSwap hook failed: {error}", { error });
      }
    }
    const pausedMs = Math.round(performance.now() - pausedAt);
    const result: RestoreResult = {
      restored: {
        path: planned.path,
        schemaVersion: planned.verify.result.schemaVersion,
        rowCounts: planned.verify.result.rowCounts,
      },
      ...(preRestore ? { preRestore } : {}),
      ...(planned.verify.result.schemaVersion < schemaAfter
        ? { migratedFrom: planned.verify.result.schemaVersion }
        : {}),
      schemaVersion: schemaAfter,
      durationMs: Math.round(performance.now() - started),
      pausedMs,
    };
    logger.info(
      "Restored {file} into {db} ({ms} ms, paused {paused} ms); pre-restore backup: {pre}",
      {
        file: backupName,
        db: dbPath,
        ms: result.durationMs,
        paused: pausedMs,
        pre: preRestore?.file ?? "none (there was no database)",
      },
    );
    return result;
  };

  /** After a failed reopen: puts the pre-restore backup back the same way, then rethrows. */
  const putBack = async (path: string, entry: BackupEntry, cause: Error): Promise<never> => {
    logger.error(
      "Opening the restored database failed ({message}); putting the previous one back",
      {
        message: cause.message,
      },
    );
    const prepared = join(dataDir, `.${basename(dbPath)}.partial-${Deno.pid}`);
    await deps.runner({
      op: "prepare",
      path,
      target: prepared,
      expectedDatabaseSha256: entry.databaseSha256,
    });
    if (deps.store?.isOpen) deps.store.close();
    settleDatabase(dbPath, true);
    swapInto(prepared, dbPath);
    reopen();
    throw new Error(
      `Restore failed while opening the restored database: ${cause.message}. The previous database was put back`,
      { cause },
    );
  };

  return { plan, restore };
}

function readManifestSafe(dir: string): BackupEntry[] {
  try {
    return readManifest(dir).backups;
  } catch {
    return [];
  }
}

function lockOwnerAliveSafe(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
