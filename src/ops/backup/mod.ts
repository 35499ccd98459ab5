/** Backups: consistent online snapshots, verification, retention, restore, off-site copies. */
export {
  type BackupListing,
  type BackupOutcome,
  type BackupRequest,
  type BackupService,
  type BackupServiceDeps,
  type BackupServiceOptions,
  type BackupState,
  type BackupStatus,
  createBackupService,
  type ListedBackup,
  type OffsiteFailure,
  type PruneResult,
  type VerifyReport,
} from "./service.ts";
export {
  BackupFailedError,
  BackupInProgressError,
  InvalidBackupError,
  ManifestError,
} from "./errors.ts";
export { BACKUP_KINDS, type BackupEntry, type BackupKind, type OffsiteRecord } from "./manifest.ts";
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
