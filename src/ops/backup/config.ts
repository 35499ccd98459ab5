/** The backup service's options as the configuration sets them (shared by `src/app.ts` and the CLI). */
import type { BlitzConfig } from "../../config/mod.ts";
import type { BackupServiceOptions } from "./types.ts";

/** BACKUP_* variables and BLITZ_TIMEZONE as {@link BackupServiceOptions}. */
export function backupOptionsFromConfig(config: BlitzConfig): BackupServiceOptions {
  return {
    ...(config.backupDir ? { backupDir: config.backupDir } : {}),
    keep: config.backupKeep,
    keepDays: config.backupKeepDays,
    timeZone: config.timeZone,
    compress: config.backupCompress,
    ...(config.backupCopyDir ? { copyDir: config.backupCopyDir } : {}),
    ...(config.backupPostCommand ? { postCommand: config.backupPostCommand } : {}),
    postCommandTimeoutMs: config.backupPostCommandTimeoutSeconds * 1000,
  };
}
