/**
 * `blitz db check | vacuum | stats`: integrity check, VACUUM + ANALYZE with the bytes
 * reclaimed, and the figures of the database (tables, rows, pages, freelist, WAL). `check` and
 * `stats` only read, so they work beside a running Blitz; `vacuum` needs the data directory.
 */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { BlitzConfig } from "../config/mod.ts";
import { acquireLock, lockOwner, StoreLockedError } from "../ops/lock.ts";
import {
  checkIntegrity,
  CorruptDatabaseError,
  LATEST_SCHEMA_VERSION,
  looksLikeSqlite,
  openDatabase,
  schemaVersion,
} from "../store/mod.ts";
import { databaseStats, vacuumAndAnalyze } from "../store/maintenance.ts";
import { ExitCode, ExitRequest } from "./exit_codes.ts";
import { printError, printLine } from "./output.ts";
import { failVerb, formatBytes, loadVerbConfig } from "./backup.ts";

function dbPathOf(config: BlitzConfig): string {
  return join(config.dataDir, "blitz.db");
}

/** Opens the database read-only, after making sure it is there and is SQLite. */
function openForReading(path: string): DatabaseSync {
  const kind = looksLikeSqlite(path);
  if (kind === "missing" || kind === "empty") {
    printError(`There is no database at "${path}" (check --data-dir / BLITZ_DATA_DIR)`);
    throw new ExitRequest(ExitCode.Failure);
  }
  if (kind === "other") {
    failVerb(new CorruptDatabaseError(path, "it is not a SQLite database (wrong file header)"));
  }
  try {
    return new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    failVerb(new CorruptDatabaseError(path, (error as Error).message, { cause: error }));
  }
}

function check(config: BlitzConfig, json: boolean | undefined): void {
  const path = dbPathOf(config);
  const db = openForReading(path);
  const problems: string[] = [];
  let version = 0;
  try {
    problems.push(...checkIntegrity(db, true));
    if (problems.length === 0) {
      const orphans = db.prepare("PRAGMA foreign_key_check").all() as {
        table: string;
        parent: string;
      }[];
      for (const o of orphans.slice(0, 5)) {
        problems.push(`a row of ${o.table} refers to a missing row of ${o.parent}`);
      }
      if (orphans.length > 5) {
        problems.push(`… and ${orphans.length - 5} more foreign key problems`);
      }
    }
    version = schemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION) {
      problems.push(
        `schema version ${version} is newer than this Blitz knows (${LATEST_SCHEMA_VERSION})`,
      );
    }
  } catch (error) {
    problems.push(`SQLite cannot read it: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  if (json) {
    printLine(
      JSON.stringify({ path, ok: problems.length === 0, schemaVersion: version, problems }),
    );
  }
  if (problems.length > 0) {
    if (!json) {
      printError(
        `Database "${path}" failed its check: ${problems.slice(0, 5).join("; ")} ` +
          `(restore the newest good backup: blitz backup list, then blitz restore FILE)`,
      );
    }
    throw new ExitRequest(ExitCode.DatabaseUnusable);
  }
  if (!json) {
    printLine(`OK: "${path}" passed integrity_check and foreign_key_check (schema ${version}).`);
  }
}

function stats(config: BlitzConfig, json: boolean | undefined): void {
  const path = dbPathOf(config);
  const db = openForReading(path);
  let figures;
  try {
    figures = databaseStats(db, path);
  } catch (error) {
    failVerb(new CorruptDatabaseError(path, (error as Error).message, { cause: error }));
  } finally {
    db.close();
  }
  if (json) {
    printLine(JSON.stringify({ path, ...figures }));
    return;
  }
  printLine(`Database ${path}`);
  printLine(
    `  file ${formatBytes(figures.fileBytes)} · WAL ${
      formatBytes(figures.walBytes)
    } · journal ${figures.journalMode}`,
  );
  printLine(
    `  pages ${figures.pageCount} × ${figures.pageSize} B · freelist ${figures.freelistCount} pages ` +
      `(${
        formatBytes(figures.freeBytes)
      } a VACUUM could reclaim) · schema ${figures.schemaVersion}`,
  );
  const width = Math.max(5, ...figures.tables.map((t) => t.name.length));
  printLine(`  ${"TABLE".padEnd(width)}  ${"ROWS".padStart(10)}  ${"SIZE".padStart(10)}`);
  for (const t of figures.tables) {
    printLine(
      `  ${t.name.padEnd(width)}  ${String(t.rows).padStart(10)}  ${
        (t.bytes === null ? "?" : formatBytes(t.bytes)).padStart(10)
      }`,
    );
  }
}

function vacuum(config: BlitzConfig, json: boolean | undefined): void {
  const owner = lockOwner(config.dataDir);
  const refuse = (pid: number): never => {
    printError(
      `Cannot vacuum "${
        dbPathOf(config)
      }": Blitz is running as pid ${pid} and holds the data directory ` +
        `(stop it with "kill ${pid}", then run this again; VACUUM needs the only connection)`,
    );
    throw new ExitRequest(ExitCode.Locked);
  };
  if (owner) refuse(owner.pid);
  const path = dbPathOf(config);
  if (looksLikeSqlite(path) === "missing") {
    printError(`There is no database at "${path}" (check --data-dir / BLITZ_DATA_DIR)`);
    throw new ExitRequest(ExitCode.Failure);
  }
  let lock;
  try {
    lock = acquireLock(config.dataDir);
  } catch (error) {
    if (error instanceof StoreLockedError) refuse(error.pid);
    failVerb(error);
  }
  try {
    let opened;
    try {
      opened = openDatabase(path);
    } catch (error) {
      failVerb(error);
    }
    let result;
    try {
      result = vacuumAndAnalyze(opened.db, path);
    } catch (error) {
      const message = (error as Error).message;
      printError(
        /full/i.test(message)
          ? `VACUUM failed: the disk is full (it needs free space about the size of the database); nothing was changed`
          : `VACUUM failed: ${message}; nothing was changed`,
      );
      throw new ExitRequest(ExitCode.Failure);
    } finally {
      opened.db.close();
    }
    if (json) printLine(JSON.stringify({ path, ...result }));
    else {
      printLine(
        `VACUUM + ANALYZE done in ${result.durationMs} ms: ${formatBytes(result.bytesBefore)} → ` +
          `${formatBytes(result.bytesAfter)} (${formatBytes(result.reclaimedBytes)} reclaimed).`,
      );
    }
  } finally {
    lock.release();
  }
}

/** Registers `blitz db`. */
export function registerDbCommand(program: Command): void {
  const db = program.command("db").description("check, vacuum and inspect the database");
  db.command("check")
    .description(
      "run integrity_check and foreign_key_check (read-only: works beside a running Blitz)",
    )
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 intact, 1 no database, 3 the database is damaged or from a newer Blitz.\n",
    )
    .action((flags) => check(loadVerbConfig(flags.dataDir), flags.json));
  db.command("vacuum")
    .description(
      "VACUUM and ANALYZE, and report the bytes reclaimed (refused while Blitz runs on this data)",
    )
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 done, 1 failed (nothing changed), 3 database unusable, 75 Blitz is running.\n",
    )
    .action((flags) => vacuum(loadVerbConfig(flags.dataDir), flags.json));
  db.command("stats")
    .description("table sizes and row counts, page and freelist figures, WAL size (read-only)")
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("--json", "print as JSON")
    .action((flags) => stats(loadVerbConfig(flags.dataDir), flags.json));
}
