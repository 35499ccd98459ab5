/**
 * The backup service: one object used by `blitz backup|restore`, the admin API and (later)
 * the scheduled job. Snapshots run in a Worker with their own read connection (WAL gives them
 * a consistent view while the bot writes); the main thread only renames, records and reports.
 * One backup or restore per database at a time, across processes (`<data>/backup.lock`).
 */
import { basename, dirname, join, resolve } from "node:path";
import { systemClock } from "../../clock.ts";
import { log } from "../../log.ts";
import { CorruptDatabaseError, LATEST_SCHEMA_VERSION, NewerSchemaError } from "../../store/mod.ts";
import { isDiskFullMessage } from "../../store/errors.ts";
import { VERSION } from "../../version.ts";
import { isLockOwnerAlive, type LockInfo } from "../lock.ts";
import { createCatalog } from "./catalog.ts";
import { BackupFailedError, BackupInProgressError } from "./errors.ts";
import { fsyncDir, removeQuietly, sizeOf, tryPidLock } from "./files.ts";
import type { JobError, SnapshotResult } from "./jobs.ts";
import {
  type BackupEntry,
  manifestPath,
  type OffsiteRecord,
  readManifest,
  removeStaleTempFiles,
  updateManifest,
} from "./manifest.ts";
import { type BackupMetrics, createBackupMetrics } from "./metrics.ts";
import { backupFileName } from "./naming.ts";
import { copyToDir, runPostCommand } from "./offsite.ts";
import { createJobRunner } from "./runner.ts";
import { createRestorer } from "./restore.ts";
import type {
  BackupOutcome,
  BackupRequest,
  BackupService,
  BackupServiceDeps,
  BackupServiceOptions,
  BackupStatus,
} from "./types.ts";

/** Maps a job failure to the error an operator sees. */
function snapshotError(error: JobError, dir: string, dbPath: string): Error {
  switch (error.kind) {
    case "disk-full":
      return new BackupFailedError(
        `Backup failed: the disk holding "${dir}" is full. The partial file was removed and older backups ` +
          `are untouched (free some space, or write elsewhere with --dest DIR)`,
        { cause: error },
      );
    case "not-writable":
      return new BackupFailedError(
        `Cannot write backups to "${dir}": ${error.message} (make it writable for this user, or use --dest DIR)`,
        { cause: error },
      );
    case "source-unusable":
      return new CorruptDatabaseError(dbPath, `it cannot be read for a backup: ${error.message}`, {
        cause: error,
      });
    default:
      return new BackupFailedError(`Backup failed: ${error.message}`, { cause: error });
  }
}

/** Creates the backup service. */
export function createBackupService(
  deps: BackupServiceDeps,
  options: BackupServiceOptions = {},
): BackupService {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? log("backup");
  const runner = deps.runner ?? createJobRunner();
  const backupDir = resolve(options.backupDir ?? join(deps.dataDir, "backups"));
  const dbPath = resolve(options.dbPath ?? join(deps.dataDir, "blitz.db"));
  const settings = {
    keep: options.keep ?? 7,
    keepDays: options.keepDays ?? 30,
    timeZone: options.timeZone ?? "UTC",
    compress: options.compress ?? false,
    postCommandTimeoutMs: options.postCommandTimeoutMs ?? 10 * 60_000,
  };
  const lockPath = join(dirname(dbPath), "backup.lock");
  const pendingOffsite = new Set<Promise<unknown>>();
  let inProgress: string | undefined;
  const isAlive = (pid: number) =>
    pid === Deno.pid || isLockOwnerAlive({ pid, startTime: "", acquiredAt: "" });
  removeStaleTempFiles(backupDir, isAlive);
  // A restore killed mid-way leaves its prepared copy beside the database: remove only that.
  for (
    const stale of removeStaleTempFiles(dirname(dbPath), isAlive, `.${basename(dbPath)}.partial-`)
  ) {
    logger.info("Removed {file}, left by an interrupted restore", { file: stale });
  }

  /** The manifest, or an empty one when it cannot be read (callers that care read it themselves). */
  const manifestEntries = (): BackupEntry[] => {
    try {
      return readManifest(backupDir).backups;
    } catch {
      return [];
    }
  };

  const status = (): BackupStatus => {
    const entries = manifestEntries();
    const now = clock.now();
    const newest = entries.find((e) => e.sizeBytes > 0 && e.sha256 !== "");
    const verified = entries.find((e) => e.verified.ok);
    return {
      ...(inProgress ? { inProgress } : {}),
      ...(verified
        ? {
          newestVerified: {
            file: verified.file,
            createdAt: verified.createdAt,
            ageSeconds: Math.max(0, Math.round((now - Date.parse(verified.createdAt)) / 1000)),
          },
        }
        : {}),
      ...(newest
        ? {
          newest: { file: newest.file, createdAt: newest.createdAt, sizeBytes: newest.sizeBytes },
        }
        : {}),
    };
  };

  const metrics: BackupMetrics | undefined = deps.registry
    ? createBackupMetrics(deps.registry, {
      newest: () => {
        const newest = status().newest;
        return newest
          ? { createdAtMs: Date.parse(newest.createdAt), sizeBytes: newest.sizeBytes }
          : undefined;
      },
      lastVerifiedAgeSeconds: () => status().newestVerified?.ageSeconds ?? Infinity,
    })
    : undefined;

  /** Claims the right to snapshot or swap this database, in this process and across processes. */
  const claim = (what: string): () => void => {
    if (inProgress) throw new BackupInProgressError(inProgress);
    const lock = tryPidLock(lockPath, what);
    if (!("release" in lock)) {
      const owner = lock as LockInfo & { what?: string };
      throw new BackupInProgressError(owner.what ?? "backup", owner.pid);
    }
    inProgress = what;
    return () => {
      inProgress = undefined;
      lock.release();
    };
  };

  const prepareDir = () => {
    try {
      Deno.mkdirSync(backupDir, { recursive: true });
      const probe = join(backupDir, `.write-test.tmp-${Deno.pid}`);
      Deno.writeTextFileSync(probe, "");
      removeQuietly(probe);
    } catch (error) {
      throw new BackupFailedError(
        `Cannot write backups to "${backupDir}": ${(error as Error).message} ` +
          `(make it writable for this user, or use --dest DIR)`,
        { cause: error },
      );
    }
  };

  const runOffsite = async (path: string, entry: BackupEntry): Promise<OffsiteRecord[]> => {
    const records: OffsiteRecord[] = [];
    if (options.copyDir) {
      records.push(await copyToDir(path, manifestPath(backupDir), options.copyDir));
    }
    if (options.postCommand) {
      records.push(await runPostCommand(options.postCommand, path, settings.postCommandTimeoutMs));
    }
    if (records.length === 0) return records;
    for (const record of records) {
      if (record.ok) {
        logger.info("Backup {file}: {target} done ({message})", { file: entry.file, ...record });
        continue;
      }
      logger.error("Backup {file}: {target} failed: {message}", { file: entry.file, ...record });
      metrics?.offsiteFailed(record.target);
      try {
        options.onPostCommandFailed?.({ entry, record });
      } catch (error) {
        logger.error("The off-site failure hook threw: {error}", { error });
      }
    }
    try {
      await updateManifest(backupDir, (manifest) => {
        const found = manifest.backups.find((e) => e.file === entry.file);
        if (found) found.offsite = records;
      });
    } catch (error) {
      logger.error("Cannot record the off-site outcome of {file}: {error}", {
        file: entry.file,
        error,
      });
    }
    return records;
  };

  /** Writes one backup; the caller holds the claim. */
  const snapshot = async (
    request: BackupRequest,
  ): Promise<{ path: string; entry: BackupEntry }> => {
    const started = performance.now();
    const kind = request.kind ?? "manual";
    const compressed = request.compress ?? settings.compress;
    if (sizeOf(dbPath) === undefined) {
      throw new BackupFailedError(
        `There is no database at "${dbPath}" to back up ` +
          `(start Blitz once with this data directory, or point --data-dir / BLITZ_DATA_DIR at the right one)`,
      );
    }
    prepareDir();
    const createdAtMs = clock.now();
    const recorded = new Set(manifestEntries().map((e) => e.file));
    const name = backupFileName(createdAtMs, kind, {
      label: kind === "pre-restore" ? undefined : request.label,
      compressed,
      taken: (candidate) =>
        recorded.has(candidate) || sizeOf(join(backupDir, candidate)) !== undefined,
    });
    const finalPath = join(backupDir, name);
    const dbName = compressed ? name.slice(0, -3) : name;
    const target = join(backupDir, `.${dbName}.partial-${Deno.pid}`);
    const gzipTarget = compressed ? join(backupDir, `.${name}.partial-${Deno.pid}`) : undefined;
    let result: SnapshotResult;
    try {
      result = await runner({
        op: "snapshot",
        source: dbPath,
        target,
        gzipTarget,
        knownSchema: LATEST_SCHEMA_VERSION,
      });
    } catch (error) {
      removeQuietly(target);
      if (gzipTarget) removeQuietly(gzipTarget);
      if ((error as Error).name === "JobError") {
        throw snapshotError(error as JobError, backupDir, dbPath);
      }
      throw error;
    }
    if (!result.ok) {
      removeQuietly(result.path);
      const detail = result.problems.join("; ");
      if (result.reason === "newer-schema") {
        throw new NewerSchemaError(dbPath, result.schemaVersion, LATEST_SCHEMA_VERSION);
      }
      if (result.reason === "not-blitz") {
        throw new CorruptDatabaseError(dbPath, `it is not a Blitz database: ${detail}`);
      }
      throw new CorruptDatabaseError(dbPath, `its snapshot failed verification: ${detail}`);
    }
    const entry: BackupEntry = {
      file: name,
      kind,
      ...(request.label ? { label: request.label } : {}),
      createdAt: new Date(createdAtMs).toISOString(),
      schemaVersion: result.schemaVersion,
      rowCounts: result.rowCounts,
      sizeBytes: result.sizeBytes,
      databaseBytes: result.databaseBytes,
      sha256: result.sha256,
      databaseSha256: result.databaseSha256,
      compressed,
      durationMs: 0,
      blitzVersion: VERSION,
      verified: { at: new Date(clock.now()).toISOString(), ok: true, problems: [] },
    };
    try {
      Deno.renameSync(result.path, finalPath);
      fsyncDir(backupDir);
      entry.durationMs = Math.round(performance.now() - started);
      await updateManifest(
        backupDir,
        (manifest) => {
          manifest.backups = manifest.backups.filter((e) => e.file !== name);
          manifest.backups.push(entry);
        },
        (damaged, keptAs) =>
          logger.warn("{message}; kept it as {keptAs}", { message: damaged.message, keptAs }),
      );
    } catch (error) {
      removeQuietly(result.path);
      removeQuietly(finalPath);
      const diskFull = isDiskFullMessage((error as Error).message);
      throw new BackupFailedError(
        diskFull
          ? `Backup failed: the disk holding "${backupDir}" is full while recording it. The new file was removed ` +
            `and older backups are untouched (free some space, or use --dest DIR)`
          : `Backup failed while recording it in the manifest: ${
            (error as Error).message
          } (the new file was removed)`,
        { cause: error },
      );
    }
    return { path: finalPath, entry };
  };

  const backup = async (request: BackupRequest = {}): Promise<BackupOutcome> => {
    const release = claim(request.kind === "pre-restore" ? "pre-restore backup" : "backup");
    const started = performance.now();
    let written: { path: string; entry: BackupEntry };
    try {
      written = await snapshot(request);
    } catch (error) {
      metrics?.observeBackup("failure", (performance.now() - started) / 1000);
      logger.error("Backup failed: {message}", { message: (error as Error).message });
      throw error;
    } finally {
      release();
    }
    metrics?.observeBackup("success", (performance.now() - started) / 1000);
    logger.info("Backup {file} written: {size} bytes, {ms} ms, schema {schema}", {
      file: written.entry.file,
      size: written.entry.sizeBytes,
      ms: written.entry.durationMs,
      schema: written.entry.schemaVersion,
    });
    const offsite = runOffsite(written.path, written.entry);
    pendingOffsite.add(offsite);
    offsite.finally(() => pendingOffsite.delete(offsite));
    return { ...written, offsite };
  };

  const catalog = createCatalog({ backupDir, clock, logger, runner, retention: settings });
  const { resolveFile, verify, list, verifyAll, prune } = catalog;

  const restorer = createRestorer({
    dataDir: deps.dataDir,
    dbPath,
    backupDir,
    clock,
    logger,
    store: deps.store,
    runner,
    beforeSwap: options.beforeSwap,
    afterSwap: options.afterSwap,
    verify,
    resolveFile,
    takePreRestoreBackup: (label) => snapshot({ kind: "pre-restore", label }),
    recordRawCopy: async (entry) => {
      await updateManifest(backupDir, (manifest) => {
        manifest.backups.push(entry);
      });
    },
  });

  return {
    backupDir,
    dbPath,
    backup,
    list,
    verify,
    verifyAll,
    prune,
    planRestore: (file) => restorer.plan(file),
    async restore(fileOrPlan) {
      const release = claim("restore");
      try {
        return await restorer.restore(fileOrPlan);
      } finally {
        release();
      }
    },
    resolveFile,
    status,
    async close(timeoutMs = 5000) {
      if (pendingOffsite.size === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...pendingOffsite]),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
