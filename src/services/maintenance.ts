/**
 * Database and data-directory maintenance, on a schedule and on demand: `quick_check`,
 * archiving old games (result kept, play-by-play dropped), pruning job-run records and log
 * files older than LOG_RETENTION_DAYS, pruning backups by the retention rule, and last
 * VACUUM/ANALYZE. Each step runs even when another failed; any failure fails the run.
 */
import { join } from "node:path";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { pruneLogFiles } from "../ops/log_files.ts";
import { checkIntegrity } from "../store/db.ts";
import type { JobRunsRepo } from "../store/jobs_repo.ts";
import { vacuumAndAnalyze, type VacuumResult } from "../store/maintenance.ts";
import type { ReportsRepo } from "../store/reports_repo.ts";
import type { Store } from "../store/store.ts";

/** What maintenance needs. */
export interface MaintenanceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  logRetentionDays: number;
  archiveAfterDays: number;
  jobRuns: JobRunsRepo;
  reports: ReportsRepo;
  /** Applies the backup retention rule; returns the files removed. */
  pruneBackups?: () => Promise<string[]>;
}

/** What one maintenance run did. */
export interface MaintenanceResult {
  integrityProblems: string[];
  gamesArchived: number;
  jobRunsDeleted: number;
  logFilesDeleted: string[];
  backupsPruned: string[];
  vacuum?: VacuumResult;
  /** Steps that failed, with why. */
  failures: string[];
}

/** One or more maintenance steps failed (the others ran). */
export class MaintenanceFailedError extends Error {
  override name = "MaintenanceFailedError";
  constructor(readonly result: MaintenanceResult) {
    super(`Maintenance failed: ${result.failures.join("; ")}`);
  }
}

/** VACUUM then ANALYZE on the running store (for `/admin vacuum` and the API). */
export function vacuumNow(store: Store): VacuumResult {
  return vacuumAndAnalyze(store.db, store.path);
}

/** One line for the job record and the admin answer. */
export function summarizeMaintenance(result: MaintenanceResult): string {
  const parts = [
    result.integrityProblems.length === 0
      ? "quick_check ok"
      : `quick_check found ${result.integrityProblems.length} problem(s)`,
    `${result.gamesArchived} game(s) archived`,
    `${result.jobRunsDeleted} job record(s) and ${result.logFilesDeleted.length} log file(s) pruned`,
    `${result.backupsPruned.length} backup(s) pruned`,
  ];
  if (result.vacuum) {
    parts.push(
      `VACUUM reclaimed ${result.vacuum.reclaimedBytes} bytes in ${result.vacuum.durationMs} ms`,
    );
  }
  if (result.failures.length > 0) parts.push(`failed: ${result.failures.join("; ")}`);
  return parts.join(", ");
}

/** Runs every step. Throws {@link MaintenanceFailedError} (with the result) if any failed. */
export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceResult> {
  const now = deps.clock.now();
  const result: MaintenanceResult = {
    integrityProblems: [],
    gamesArchived: 0,
    jobRunsDeleted: 0,
    logFilesDeleted: [],
    backupsPruned: [],
    failures: [],
  };
  const step = async (name: string, work: () => void | Promise<void>) => {
    try {
      await work();
    } catch (error) {
      result.failures.push(`${name}: ${(error as Error)?.message ?? String(error)}`);
      deps.logger.error("[Maintenance] {step} failed: {error}", { step: name, error });
    }
  };
  await step("quick_check", () => {
    result.integrityProblems = checkIntegrity(deps.store.db);
    if (result.integrityProblems.length > 0) {
      throw new Error(
        `the database failed quick_check: ${result.integrityProblems.slice(0, 3).join("; ")} ` +
          `(run blitz doctor; restore the newest verified backup if it is damaged)`,
      );
    }
  });
  const intact = result.integrityProblems.length === 0;
  if (intact) {
    await step("archive games", () => {
      result.gamesArchived = deps.reports.archiveGamesBefore(
        now - deps.archiveAfterDays * 86_400_000,
      );
    });
  }
  await step("prune job records", () => {
    result.jobRunsDeleted = deps.jobRuns.pruneBefore(now - deps.logRetentionDays * 86_400_000);
  });
  await step("prune logs", () => {
    result.logFilesDeleted = pruneLogFiles(
      join(deps.dataDir, "logs"),
      now - deps.logRetentionDays * 86_400_000,
    );
  });
  if (deps.pruneBackups) {
    await step("prune backups", async () => {
      result.backupsPruned = await deps.pruneBackups!();
    });
  }
  if (intact) {
    await step("VACUUM/ANALYZE", () => {
      result.vacuum = vacuumNow(deps.store);
    });
  }
  if (result.failures.length > 0) throw new MaintenanceFailedError(result);
  return result;
}
