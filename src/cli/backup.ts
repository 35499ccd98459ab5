/**
 * `blitz backup [create] | list | verify | prune`: consistent online backups of the live
 * database (the bot may keep running), their manifest, verification and retention. Also the
 * small helpers the other data verbs (`restore`, `db`, `export`) share: config, errors, units.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type BlitzConfig, ConfigError, loadConfig } from "../config/mod.ts";
import { StoreLockedError } from "../ops/lock.ts";
import {
  BACKUP_KINDS,
  BackupFailedError,
  BackupInProgressError,
  type BackupKind,
  backupOptionsFromConfig,
  type BackupService,
  createBackupService,
  InvalidBackupError,
  type ListedBackup,
  ManifestError,
  type VerifyReport,
} from "../ops/backup/mod.ts";
import { CorruptDatabaseError, NewerSchemaError } from "../store/mod.ts";
import { EXIT_CODES_HELP, ExitCode, ExitRequest } from "./exit_codes.ts";
import { printError, printLine } from "./output.ts";

/** Loads the configuration for a data verb; prints every problem and exits 78 when invalid. */
export function loadVerbConfig(dataDir: string | undefined): BlitzConfig {
  try {
    return loadConfig({ flags: { BLITZ_DATA_DIR: dataDir } });
  } catch (error) {
    if (error instanceof ConfigError) {
      printError(error.message);
      throw new ExitRequest(ExitCode.Config);
    }
    throw error;
  }
}

/** The exit code of a data verb's error. */
export function dataExitCode(error: unknown): number {
  if (error instanceof ExitRequest) return error.code;
  if (error instanceof BackupInProgressError || error instanceof StoreLockedError) {
    return ExitCode.Locked;
  }
  if (error instanceof CorruptDatabaseError || error instanceof NewerSchemaError) {
    return ExitCode.DatabaseUnusable;
  }
  if (error instanceof ConfigError) return ExitCode.Config;
  return ExitCode.Failure;
}

/** Prints an error of a data verb as one line (never a stack trace) and exits with its code. */
export function failVerb(error: unknown): never {
  if (error instanceof ExitRequest) throw error;
  const known = error instanceof BackupInProgressError || error instanceof StoreLockedError ||
    error instanceof CorruptDatabaseError || error instanceof NewerSchemaError ||
    error instanceof InvalidBackupError ||
    error instanceof BackupFailedError || error instanceof ManifestError;
  let message = (error as Error)?.message ?? String(error);
  if (error instanceof CorruptDatabaseError) {
    message +=
      " (check it with `blitz db check`; restore the newest good backup with `blitz restore FILE`)";
  }
  printError(known ? message : `blitz: ${message}`);
  throw new ExitRequest(dataExitCode(error));
}

/** "1.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "42 s", "5 min", "3 h", "2 d". */
export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** "games 4000, players 120". */
export function formatRowCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "(no tables)" : entries.map(([t, n]) => `${t} ${n}`).join(", ");
}

/** The backup service for a CLI verb (no store: it opens its own read connection). */
export function cliBackupService(config: BlitzConfig, backupDir?: string): BackupService {
  const options = backupOptionsFromConfig(config);
  return createBackupService({ dataDir: config.dataDir }, {
    ...options,
    ...(backupDir ? { backupDir } : {}),
  });
}

const dataDirOption = () =>
  new Option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)");

function printListed(backups: ListedBackup[]): void {
  if (backups.length === 0) {
    printLine("No backups yet. Make one with: blitz backup");
    return;
  }
  const rows = backups.map((b) => [
    formatAge(b.ageSeconds),
    formatBytes(b.sizeBytes),
    b.kind,
    b.state === "verified" ? "verified" : b.state.toUpperCase(),
    b.file + (b.label ? `  "${b.label}"` : "") +
    (b.detail && b.state !== "verified" ? `  (${b.detail})` : ""),
  ]);
  const header = ["AGE", "SIZE", "KIND", "STATE", "FILE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join("  ");
  printLine(line(header));
  for (const row of rows) printLine(line(row));
}

function verifyLine(report: VerifyReport): string {
  const r = report.result;
  if (r.ok) {
    return `OK      ${report.path} (schema ${r.schemaVersion}; ${formatRowCounts(r.rowCounts)})` +
      (report.note ? `\n        note: ${report.note}` : "");
  }
  return `FAILED  ${report.path}: ${r.problems.join("; ")}`;
}

/** Registers `blitz backup` and its subcommands. */
export function registerBackupCommand(program: Command): void {
  const backup = program.command("backup")
    .description(
      "make, list, verify and prune backups of the live database (the bot may keep running)",
    )
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`);

  backup.command("create", { isDefault: true })
    .description(
      "make a consistent backup now: snapshot in a worker, integrity check, checksum, manifest entry " +
        "(the default: `blitz backup` is `blitz backup create`)",
    )
    .option("--label <text>", "a note kept in the manifest (and in the file name)")
    .option(
      "--dest <dir>",
      "write the backup and its manifest here (BACKUP_DIR, default <data>/backups)",
    )
    .option("--compress", "gzip the backup (.db.gz) (BACKUP_COMPRESS)")
    .option("--no-compress", "do not gzip, whatever BACKUP_COMPRESS says")
    .addOption(
      new Option(
        "--kind <kind>",
        "why it is made: only scheduled backups are pruned by the normal rule",
      )
        .choices(BACKUP_KINDS as BackupKind[]).default("manual" as BackupKind),
    )
    .addOption(dataDirOption())
    .option("--json", "print the manifest entry as JSON")
    .addHelpText(
      "after",
      "\nWorks whether or not `blitz run` is running on the same data directory.\n" +
        "After the backup, BACKUP_COPY_DIR and BACKUP_POST_COMMAND run; their failure makes the exit code 1.\n" +
        "Exit codes: 0 written, 1 failed (nothing left behind), 3 the live database is unusable,\n" +
        "75 another backup or restore is running.\n",
    )
    .action(async (flags) => {
      const config = loadVerbConfig(flags.dataDir);
      const service = cliBackupService(config, flags.dest);
      let outcome;
      try {
        outcome = await service.backup({
          kind: flags.kind,
          label: flags.label,
          compress: flags.compress,
        });
      } catch (error) {
        failVerb(error);
      }
      const offsite = await outcome.offsite;
      const { entry } = outcome;
      if (flags.json) {
        printLine(JSON.stringify({ path: outcome.path, ...entry, offsite }));
      } else {
        printLine(`Backup written: ${outcome.path}`);
        printLine(
          `  ${entry.kind} · ${formatBytes(entry.sizeBytes)}${
            entry.compressed ? " gzip" : ""
          } · schema ` +
            `${entry.schemaVersion} · ${
              (entry.durationMs / 1000).toFixed(1)
            } s · sha256 ${entry.sha256}`,
        );
        printLine(`  rows: ${formatRowCounts(entry.rowCounts)}`);
        for (const record of offsite) {
          printLine(
            `  off-site ${record.target}: ${record.ok ? "ok" : "FAILED"} (${record.message ?? ""})`,
          );
        }
      }
      const failed = offsite.filter((r) => !r.ok);
      if (failed.length > 0) {
        printError(
          `The backup was written, but ${failed.map((r) => r.target).join(" and ")} failed: ` +
            `${
              failed.map((r) => r.message).join("; ")
            } (fix BACKUP_COPY_DIR / BACKUP_POST_COMMAND)`,
        );
        throw new ExitRequest(ExitCode.Failure);
      }
    });

  backup.command("list")
    .description(
      "list backups, newest first: age, size, kind, state (a file changed since is DAMAGED)",
    )
    .option("--dir <dir>", "backups directory (BACKUP_DIR, default <data>/backups)")
    .option(
      "--no-checksums",
      "skip re-hashing each file (faster; damage is then only seen by size)",
    )
    .addOption(dataDirOption())
    .option("--json", "print as JSON")
    .action(async (flags) => {
      const config = loadVerbConfig(flags.dataDir);
      const service = cliBackupService(config, flags.dir);
      let listing;
      try {
        listing = await service.list({ checksums: flags.checksums });
      } catch (error) {
        failVerb(error);
      }
      if (flags.json) {
        printLine(JSON.stringify({
          dir: listing.dir,
          ...(listing.manifestProblem ? { manifestProblem: listing.manifestProblem } : {}),
          lastVerifiedAgeSeconds: service.status().newestVerified?.ageSeconds ?? null,
          backups: listing.backups.map(({ entry: _entry, ...rest }) => rest),
        }));
        return;
      }
      if (listing.manifestProblem) printError(`warning: ${listing.manifestProblem}`);
      printListed(listing.backups);
    });

  backup.command("verify")
    .description(
      "verify backups: checksum, integrity_check, schema version, row counts against the manifest",
    )
    .argument("[file]", "a backup file (a path, or a name in the backups directory)")
    .option("--all", "verify every backup in the manifest")
    .option("--dir <dir>", "backups directory (BACKUP_DIR, default <data>/backups)")
    .addOption(dataDirOption())
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 every backup checked is good, 1 any failed (each failure is printed).\n",
    )
    .action(async (file, flags, command) => {
      if ((file === undefined) === !flags.all) {
        command.error(
          file === undefined
            ? "error: give a backup FILE or --all"
            : "error: give either FILE or --all, not both",
          {
            exitCode: ExitCode.Usage,
          },
        );
      }
      const config = loadVerbConfig(flags.dataDir);
      const service = cliBackupService(config, flags.dir);
      let reports: VerifyReport[];
      try {
        reports = file !== undefined ? [await service.verify(file)] : await service.verifyAll();
      } catch (error) {
        failVerb(error);
      }
      if (flags.json) {
        printLine(
          JSON.stringify(
            reports.map((r) => ({
              path: r.path,
              ...r.result,
              ...(r.note ? { note: r.note } : {}),
            })),
          ),
        );
      } else if (reports.length === 0) {
        printLine("No backups in the manifest to verify.");
      } else {
        for (const report of reports) {
          (report.result.ok ? printLine : printError)(verifyLine(report));
        }
      }
      if (reports.some((r) => !r.result.ok)) throw new ExitRequest(ExitCode.Failure);
    });

  backup.command("prune")
    .description(
      "delete old backups: keep the newest BACKUP_KEEP scheduled ones plus one per day for BACKUP_KEEP_DAYS; " +
        "manual, pre-restore and pre-tournament ones only with --all-kinds",
    )
    .option("--dry-run", "show what would be deleted, delete nothing")
    .option("--all-kinds", "apply the rule to every kind (each kind a series of its own)")
    .option("--dir <dir>", "backups directory (BACKUP_DIR, default <data>/backups)")
    .addOption(dataDirOption())
    .option("--json", "print as JSON")
    .action(async (flags) => {
      const config = loadVerbConfig(flags.dataDir);
      const service = cliBackupService(config, flags.dir);
      let result;
      try {
        result = await service.prune({ dryRun: flags.dryRun, allKinds: flags.allKinds });
      } catch (error) {
        failVerb(error);
      }
      if (flags.json) {
        printLine(JSON.stringify(result));
        return;
      }
      for (const item of result.plan.prune) {
        printLine(`${result.dryRun ? "would delete" : "deleted"}  ${item.file}  (${item.reason})`);
      }
      for (const item of result.plan.keep) {
        printLine(`keep          ${item.file}  (${item.reason})`);
      }
      printLine(
        `${
          result.dryRun ? "Dry run: would delete" : "Deleted"
        } ${result.plan.prune.length}, kept ${result.plan.keep.length}.`,
      );
    });
}
