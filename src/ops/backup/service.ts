/**
 * The backup service: one object used by `blitz backup|restore`, the admin API and (later)
 * the scheduled job. Snapshots run in a Worker with their own read connection (WAL gives them
 * a consistent view while the bot writes); the main thread only renames, records and reports.
 * One backup or restore per database at a time, across processes (`<data>/backup.lock`).
 */
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import type client from "prom-client";
import type { Clock } from "../../clock.ts";
import { systemClock } from "../../clock.ts";
import { log, type Logger } from "../../log.ts";
import { CorruptDatabaseError, LATEST_SCHEMA_VERSION, NewerSchemaError } from "../../store/mod.ts";
import type { Store } from "../../store/store.ts";
import { VERSION } from "../../version.ts";
import { isLockOwnerAlive, type LockInfo } from "../lock.ts";
import {
  BackupFailedError,
  BackupInProgressError,
  InvalidBackupError,
  ManifestError,
} from "./errors.ts";
import { fsyncDir, removeQuietly, sha256File, sizeOf, tryPidLock } from "./files.ts";
import type { ExpectedBackup, JobError, SnapshotResult, VerifyResult } from "./jobs.ts";
import {
  type BackupEntry,
  type BackupKind,
  manifestPath,
  type OffsiteRecord,
  readManifest,
  removeStaleTempFiles,
  updateManifest,
} from "./manifest.ts";
import { type BackupMetrics, createBackupMetrics } from "./metrics.ts";
import { backupFileName, isBackupFileName, parseBackupFileName } from "./naming.ts";
import { copyToDir, runPostCommand } from "./offsite.ts";
import { planRetention, type RetentionPlan } from "./retention.ts";
import { createJobRunner, type JobRunner } from "./runner.ts";
import { createRestorer, type RestorePlan, type RestoreResult } from "./restore.ts";

/** What the service is built from (by `src/app.ts` or a CLI verb). */
export interface BackupServiceDeps {
  /** The data directory: the database, `backup.lock`, and `backups/` by default. */
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** The running instance's store; restores close and reopen it. Absent in CLI verbs. */
  store?: Store;
  /** Where to register the backup metrics (the app's `BlitzMetrics.registry`). */
  registry?: client.Registry;
  /** Runs the heavy jobs (default: a Worker per job). Tests inject failures here. */
  runner?: JobRunner;
}

/** A failed off-site step, for the alerting hook. */
export interface OffsiteFailure {
  entry: BackupEntry;
  record: OffsiteRecord;
}

/** Options, from the configuration; defaults are filled in by {@link createBackupService}. */
export interface BackupServiceOptions {
  /** Default `<data>/backups`. */
  backupDir?: string;
  /** Default `<data>/blitz.db`. */
  dbPath?: string;
  /** BACKUP_KEEP: newest scheduled backups kept (default 7). */
  keep?: number;
  /** BACKUP_KEEP_DAYS: days that keep their newest scheduled backup (default 30). */
  keepDays?: number;
  /** Time zone of those days (BLITZ_TIMEZONE, default UTC). */
  timeZone?: string;
  /** Gzip backups unless a request says otherwise (BACKUP_COMPRESS, default false). */
  compress?: boolean;
  /** BACKUP_COPY_DIR: a mounted path every backup is copied to. */
  copyDir?: string;
  /** BACKUP_POST_COMMAND: run after every backup, `{file}` replaced by its path. */
  postCommand?: string;
  /** Time limit of the post command, ms (default 10 minutes). */
  postCommandTimeoutMs?: number;
  /** In-process restore: pause the app (stop taking interactions) before the swap. */
  beforeSwap?: () => void | Promise<void>;
  /** In-process restore: resume the app after the swap, whether it worked or not. */
  afterSwap?: () => void | Promise<void>;
  /** Called when a copy or the post command fails (the alerting system hooks in here). */
  onPostCommandFailed?: (failure: OffsiteFailure) => void;
}

/** A backup request. */
export interface BackupRequest {
  kind?: BackupKind;
  label?: string;
  compress?: boolean;
}

/** A written backup. */
export interface BackupOutcome {
  path: string;
  entry: BackupEntry;
  /** The off-site steps (copy, post command), recorded in the manifest when they finish. */
  offsite: Promise<OffsiteRecord[]>;
}

/** How a listed backup stands. */
export type BackupState = "verified" | "failed" | "damaged" | "missing" | "unrecorded";

/** One line of `blitz backup list`. */
export interface ListedBackup {
  file: string;
  path: string;
  kind: BackupKind | "unknown";
  label?: string;
  createdAt: string;
  ageSeconds: number;
  sizeBytes: number;
  state: BackupState;
  /** Why it is damaged, failed or unrecorded. */
  detail?: string;
  verifiedAt?: string;
  entry?: BackupEntry;
}

/** The list, and a problem with the manifest if there is one. */
export interface BackupListing {
  dir: string;
  backups: ListedBackup[];
  manifestProblem?: string;
}

/** One verification's report. */
export interface VerifyReport {
  path: string;
  entry?: BackupEntry;
  result: VerifyResult;
  /** Set when the file has no manifest entry: only what the file itself shows was checked. */
  note?: string;
}

/** The result of a prune. */
export interface PruneResult {
  plan: RetentionPlan;
  removed: string[];
  dryRun: boolean;
}

/** Summary the health check, metrics and dashboard show. */
export interface BackupStatus {
  inProgress?: string;
  newestVerified?: { file: string; createdAt: string; ageSeconds: number };
  newest?: { file: string; createdAt: string; sizeBytes: number };
}

/** The backup service. */
export interface BackupService {
  readonly backupDir: string;
  readonly dbPath: string;
  backup(request?: BackupRequest): Promise<BackupOutcome>;
  list(options?: { checksums?: boolean }): Promise<BackupListing>;
  /** Verifies one backup; the verdict is recorded in its manifest entry unless `record` is false. */
  verify(file: string, options?: { record?: boolean }): Promise<VerifyReport>;
  verifyAll(): Promise<VerifyReport[]>;
  prune(options?: { dryRun?: boolean; allKinds?: boolean }): Promise<PruneResult>;
  /** Verifies the backup and describes the current database, for the confirmation prompt. */
  planRestore(file: string): Promise<RestorePlan>;
  /**
   * Replaces the database by the backup: pre-restore backup, prepared copy, atomic swap.
   * Without a store, the caller must hold the data-directory lock (`acquireLock`).
   */
  restore(fileOrPlan: string | RestorePlan): Promise<RestoreResult>;
  /** Resolves a file name or path given by a user to a path (names are looked up in the backups directory). */
  resolveFile(file: string): string;
  status(): BackupStatus;
  /** Waits for running off-site steps (at most `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

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
      const diskFull = /ENOSPC|No space left|disk is full/i.test((error as Error).message);
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

  const resolveFile = (file: string): string => {
    if (isAbsolute(file)) return file;
    if (!file.includes("/") && sizeOf(file) === undefined) return join(backupDir, file);
    return resolve(file);
  };

  const findEntry = (path: string): BackupEntry | undefined => {
    try {
      return readManifest(dirname(path)).backups.find((e) => e.file === basename(path));
    } catch {
      return undefined;
    }
  };

  const expectedOf = (entry?: BackupEntry): ExpectedBackup | undefined =>
    entry
      ? { sha256: entry.sha256, schemaVersion: entry.schemaVersion, rowCounts: entry.rowCounts }
      : undefined;

  const verify = async (
    file: string,
    verifyOptions: { record?: boolean } = {},
  ): Promise<VerifyReport> => {
    const path = resolveFile(file);
    const entry = findEntry(path);
    const result = await runner({
      op: "verify",
      path,
      scratchDir: dirname(path),
      knownSchema: LATEST_SCHEMA_VERSION,
      expected: expectedOf(entry),
    });
    if (entry && (verifyOptions.record ?? true)) {
      try {
        await updateManifest(dirname(path), (manifest) => {
          const found = manifest.backups.find((e) => e.file === entry.file);
          if (found) {
            found.verified = {
              at: new Date(clock.now()).toISOString(),
              ok: result.ok,
              problems: result.problems,
            };
          }
        });
      } catch (error) {
        logger.warn("Cannot record the verification of {file}: {error}", {
          file: entry.file,
          error,
        });
      }
    }
    if (!result.ok) {
      logger.error("Backup {path} failed verification: {problems}", {
        path,
        problems: result.problems,
      });
    }
    return {
      path,
      entry,
      result,
      ...(entry || !result.ok ? {} : {
        note: `"${
          basename(path)
        }" has no entry in a manifest beside it: the checksum and row counts were not compared`,
      }),
    };
  };

  const list = async (listOptions: { checksums?: boolean } = {}): Promise<BackupListing> => {
    let entries: BackupEntry[] = [];
    let manifestProblem: string | undefined;
    try {
      entries = readManifest(backupDir).backups;
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      manifestProblem = error.message;
    }
    const now = clock.now();
    const listed: ListedBackup[] = [];
    for (const entry of entries) {
      const path = join(backupDir, entry.file);
      const created = Date.parse(entry.createdAt);
      const item: ListedBackup = {
        file: entry.file,
        path,
        kind: entry.kind,
        ...(entry.label ? { label: entry.label } : {}),
        createdAt: entry.createdAt,
        ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
        sizeBytes: entry.sizeBytes,
        state: entry.verified.ok ? "verified" : "failed",
        verifiedAt: entry.verified.at,
        entry,
      };
      if (!entry.verified.ok) item.detail = entry.verified.problems.join("; ");
      const size = sizeOf(path);
      if (size === undefined) {
        item.state = "missing";
        item.detail = "the file is gone";
      } else if (size !== entry.sizeBytes) {
        item.state = "damaged";
        item.detail = `size is ${size} bytes, the manifest recorded ${entry.sizeBytes}`;
      } else if (listOptions.checksums ?? true) {
        const sha = await sha256File(path);
        if (sha !== entry.sha256) {
          item.state = "damaged";
          item.detail = "the file changed since the backup was made (checksum differs)";
        }
      }
      listed.push(item);
    }
    const recorded = new Set(entries.map((e) => e.file));
    let dirEntries: Deno.DirEntry[] = [];
    try {
      dirEntries = [...Deno.readDirSync(backupDir)];
    } catch { /* no backups directory yet */ }
    for (const dirEntry of dirEntries) {
      if (!dirEntry.isFile || !isBackupFileName(dirEntry.name) || recorded.has(dirEntry.name)) {
        continue;
      }
      const path = join(backupDir, dirEntry.name);
      const stat = Deno.statSync(path);
      const parsed = parseBackupFileName(dirEntry.name);
      const created = parsed?.createdAtMs ?? stat.mtime?.getTime() ?? now;
      listed.push({
        file: dirEntry.name,
        path,
        kind: parsed?.kind ?? "unknown",
        createdAt: new Date(created).toISOString(),
        ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
        sizeBytes: stat.size,
        state: "unrecorded",
        detail: "not in the manifest: run `blitz backup verify` on it before trusting it",
      });
    }
    listed.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
    return { dir: backupDir, backups: listed, ...(manifestProblem ? { manifestProblem } : {}) };
  };

  const verifyAll = async (): Promise<VerifyReport[]> => {
    const entries = readManifest(backupDir).backups;
    const reports: VerifyReport[] = [];
    for (const entry of entries) reports.push(await verify(join(backupDir, entry.file)));
    return reports;
  };

  const prune = async (
    pruneOptions: { dryRun?: boolean; allKinds?: boolean } = {},
  ): Promise<PruneResult> => {
    const entries = readManifest(backupDir).backups;
    const plan = planRetention(
      entries.map((e) => ({ file: e.file, kind: e.kind, createdAtMs: Date.parse(e.createdAt) })),
      {
        keep: settings.keep,
        keepDays: settings.keepDays,
        timeZone: settings.timeZone,
        allKinds: !!pruneOptions.allKinds,
      },
      clock.now(),
    );
    const removed: string[] = [];
    if (!pruneOptions.dryRun && plan.prune.length > 0) {
      const going = new Set(plan.prune.map((p) => p.file));
      // Forget them in the manifest first: a crash in between leaves unrecorded files, never entries without files.
      await updateManifest(backupDir, (manifest) => {
        manifest.backups = manifest.backups.filter((e) => !going.has(e.file));
      });
      for (const file of going) {
        removeQuietly(join(backupDir, file));
        removed.push(file);
      }
      fsyncDir(backupDir);
      logger.info("Pruned {count} backups: {files}", { count: removed.length, files: removed });
    }
    return { plan, removed, dryRun: !!pruneOptions.dryRun };
  };

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
