/**
 * `blitz restore FILE`: verifies the backup, shows what will be replaced, asks (unless
 * `--yes`), keeps a pre-restore backup, then swaps the database atomically. Refuses while a
 * running Blitz holds the data directory, or asks that instance to restore itself (`--online`).
 */
import type { Command } from "@commander-js/extra-typings";
import { basename, dirname, join, resolve } from "node:path";
import type { BlitzConfig } from "../config/mod.ts";
import { acquireLock, type DataDirLock, StoreLockedError } from "../ops/lock.ts";
import type { RestorePlan, RestoreResult } from "../ops/backup/mod.ts";
import { ExitCode, ExitRequest } from "./exit_codes.ts";
import { printError, printLine } from "./output.ts";
import {
  cliBackupService,
  failVerb,
  formatAge,
  formatBytes,
  formatRowCounts,
  loadVerbConfig,
} from "./backup.ts";

function describePlan(plan: RestorePlan): string[] {
  const r = plan.verify.result;
  const made = plan.entry
    ? `${plan.entry.kind}, made ${formatAge(plan.backupAgeSeconds ?? 0)} ago`
    : "not in a manifest: checksum not compared";
  const lines = [
    "Restore plan:",
    `  backup:   ${plan.path} (${made}, schema ${r.schemaVersion}, ${
      formatBytes(r.databaseBytes)
    }, verified just now)`,
    `            rows: ${formatRowCounts(r.rowCounts)}`,
  ];
  const c = plan.current;
  if (!c.exists) {
    lines.push(`  replaces: nothing (there is no database at ${c.path})`);
  } else if (c.problem) {
    lines.push(
      `  replaces: ${c.path} (UNUSABLE: ${c.problem}; a byte copy is kept in the backups directory)`,
    );
  } else {
    const age = c.ageSeconds !== undefined ? `last written ${formatAge(c.ageSeconds)} ago, ` : "";
    lines.push(
      `  replaces: ${c.path} (${age}schema ${c.schemaVersion}, ${formatBytes(c.sizeBytes)})`,
    );
    lines.push(`            rows: ${formatRowCounts(c.rowCounts ?? {})}`);
    lines.push("  A pre-restore backup of the current database is taken first.");
  }
  if (plan.verify.note) lines.push(`  note: ${plan.verify.note}`);
  return lines;
}

async function readAnswer(): Promise<string> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    reader.releaseLock();
  }
  return text.split("\n")[0]!.trim().toLowerCase();
}

async function confirm(yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!Deno.stdin.isTerminal()) {
    printError(
      "Refusing to restore without confirmation: stdin is not a terminal. " +
        "Re-run with --yes to replace the database (nothing was changed).",
    );
    throw new ExitRequest(ExitCode.Usage);
  }
  printLine('Replace the database with this backup? Type "yes" to continue:');
  const answer = await readAnswer();
  if (answer !== "yes" && answer !== "y") {
    printError("Restore cancelled; nothing was changed.");
    throw new ExitRequest(ExitCode.Failure);
  }
}

function printResult(result: RestoreResult, json: boolean | undefined): void {
  if (json) {
    printLine(JSON.stringify(result));
    return;
  }
  printLine(`Restored ${result.restored.path} (${result.durationMs} ms).`);
  if (result.migratedFrom !== undefined) {
    printLine(`  migrated from schema ${result.migratedFrom} to ${result.schemaVersion}`);
  }
  printLine(`  rows: ${formatRowCounts(result.restored.rowCounts)}`);
  printLine(
    result.preRestore
      ? `  the previous database was kept as ${result.preRestore.file} (undo with: blitz restore ${result.preRestore.file})`
      : "  there was no previous database to keep",
  );
}

function lockedMessage(config: BlitzConfig, pid: number): string {
  return `Cannot restore into "${config.dataDir}": Blitz is running as pid ${pid} and holds it. ` +
    `Stop it first ("kill ${pid}", or "systemctl stop blitz"), then run this again; ` +
    `or let the running instance pause, swap and reopen itself: blitz restore FILE --online`;
}

async function restoreOnline(
  config: BlitzConfig,
  file: string,
  json: boolean | undefined,
): Promise<void> {
  const service = cliBackupService(config);
  const path = service.resolveFile(file);
  if (resolve(dirname(path)) !== service.backupDir) {
    printError(
      `The running instance restores only files in its backups directory "${service.backupDir}": ` +
        `copy "${path}" there first`,
    );
    throw new ExitRequest(ExitCode.Failure);
  }
  let token: string;
  try {
    token = Deno.readTextFileSync(join(config.dataDir, "admin.token")).trim();
  } catch (error) {
    printError(
      `Cannot read the admin token in "${config.dataDir}": ${
        (error as Error).message
      } (is this the right --data-dir?)`,
    );
    throw new ExitRequest(ExitCode.Failure);
  }
  const host = ["0.0.0.0", "::", ""].includes(config.httpHost) ? "127.0.0.1" : config.httpHost;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.httpPort}/api/restore`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ file: basename(path), confirm: true }),
    });
  } catch (error) {
    printError(
      `Cannot reach the running instance at ${url}: ${
        (error as Error).message
      } (check BLITZ_HTTP_PORT)`,
    );
    throw new ExitRequest(ExitCode.Failure);
  }
  const body = await response.json().catch(() => ({})) as Record<string, unknown>;
  if (!response.ok) {
    printError(
      `The running instance refused the restore (${response.status}): ${
        body.message ?? "no reason given"
      }`,
    );
    throw new ExitRequest(response.status === 409 ? ExitCode.Locked : ExitCode.Failure);
  }
  printResult(body as unknown as RestoreResult, json);
}

/** Registers `blitz restore`. */
export function registerRestoreCommand(program: Command): void {
  program.command("restore")
    .description(
      "replace the database by a backup: verify, keep a pre-restore backup, swap atomically",
    )
    .argument("<file>", "the backup (a path, or a name in the backups directory; .db or .db.gz)")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option(
      "--online",
      "ask the running instance (over its admin API) to pause, swap and reopen itself",
    )
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nA backup from an older schema is migrated when it is opened; one from a newer Blitz is refused.\n" +
        "A crash at any moment leaves either the old or the new database, never a mix.\n" +
        "Exit codes: 0 restored, 1 the backup is unusable or the restore failed (nothing was replaced),\n" +
        "2 no confirmation (no terminal and no --yes), 75 a running Blitz holds the data directory.\n",
    )
    .action(async (file, flags) => {
      const config = loadVerbConfig(flags.dataDir);
      if (flags.online) {
        const service = cliBackupService(config);
        try {
          const plan = await service.planRestore(file);
          for (const line of describePlan(plan)) printLine(line);
        } catch (error) {
          failVerb(error);
        }
        await confirm(flags.yes);
        return await restoreOnline(config, file, flags.json);
      }
      let lock: DataDirLock;
      try {
        Deno.mkdirSync(config.dataDir, { recursive: true });
        lock = acquireLock(config.dataDir);
      } catch (error) {
        if (error instanceof StoreLockedError) {
          printError(lockedMessage(config, error.pid));
          throw new ExitRequest(ExitCode.Locked);
        }
        failVerb(error);
      }
      try {
        const service = cliBackupService(config);
        let plan: RestorePlan;
        try {
          plan = await service.planRestore(file);
        } catch (error) {
          failVerb(error);
        }
        for (const line of describePlan(plan)) (flags.json ? printError : printLine)(line);
        await confirm(flags.yes);
        let result: RestoreResult;
        try {
          result = await service.restore(plan);
        } catch (error) {
          failVerb(error);
        }
        printResult(result, flags.json);
      } finally {
        lock.release();
      }
    });
}
