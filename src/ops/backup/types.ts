/** The backup service's public types: its dependencies, options, requests and answers. */
import type client from "prom-client";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";
import type { Store } from "../../store/store.ts";
import type { VerifyResult } from "./jobs.ts";
import type { BackupEntry, BackupKind, OffsiteRecord } from "./manifest.ts";
import type { RetentionPlan } from "./retention.ts";
import type { JobRunner } from "./runner.ts";
import type { RestorePlan, RestoreResult } from "./restore.ts";

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
  /**
   * Lists backups, newest first. Each file's checksum is compared with the manifest (hashes are
   * cached while a file's size and mtime stay the same, so polling the list stays cheap).
   */
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
