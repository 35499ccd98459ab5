/** Backups: consistent online snapshots, verification, retention, restore, off-site copies. */
export { createBackupService } from "./service.ts";
export type {
  BackupListing,
  BackupOutcome,
  BackupRequest,
  BackupService,
  BackupServiceDeps,
  BackupServiceOptions,
  BackupState,
  BackupStatus,
  ListedBackup,
  OffsiteFailure,
  PruneResult,
  VerifyReport,
} from "./types.ts";
export {
  BackupFailedError,
  BackupInProgressError,
  InvalidBackupError,
  ManifestError,
} from "./errors.ts";
export {
  BACKUP_KINDS,
  type BackupEntry,
  type BackupKind,
  type OffsiteRecord,
  readManifest,
} from "./manifest.ts";
export {
  planRetention,
  type RetentionCandidate,
  type RetentionPlan,
  type RetentionRule,
} from "./retention.ts";
export type { CurrentDatabase, RestorePlan, RestoreResult } from "./restore.ts";
export { postCommandArgv, splitCommandLine } from "./argv.ts";
export { createJobRunner, type JobRunner } from "./runner.ts";
export { backupOptionsFromConfig } from "./config.ts";
export { createPauseGate, type PauseGate } from "./pause_gate.ts";
