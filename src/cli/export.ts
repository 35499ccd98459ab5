/**
 * `blitz export players|games`: the tables as CSV (RFC 4180: quoted where needed, CRLF line
 * ends, a header row) or JSON, columns in a fixed order, times as ISO 8601 (UTC). Reads through
 * its own read-only connection, so it works beside a running Blitz.
 */
import { Argument, type Command, Option } from "@commander-js/extra-typings";
import { basename, dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { looksLikeSqlite } from "../store/mod.ts";
import {
  EXPORT_TABLES,
  exportRows,
  type ExportSort,
  type ExportTable,
} from "../store/maintenance.ts";
import { ExitCode, ExitRequest } from "./exit_codes.ts";
import { printError, printLine } from "./output.ts";
import { loadVerbConfig } from "./backup.ts";

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, without its line end. */
export function csvRecord(values: readonly unknown[]): string {
  return values.map(csvField).join(",");
}

/**
 * Parses `--since`: a date (`2026-11-22`, UTC midnight) or a date and time with a zone
 * (`2026-11-22T04:15:00Z`, `…+01:00`). Returns ms, or undefined when it is not a real date.
 */
export function parseSince(text: string): number | undefined {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d
      ? ms
      : undefined;
  }
  const dateTime =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(
      text,
    );
  if (!dateTime) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const [, y, mo, d, h, mi, s] = dateTime.map(Number);
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || (s ?? 0) > 59) {
    return undefined;
  }
  const check = new Date(Date.UTC(y!, mo! - 1, d!));
  return check.getUTCDate() === d ? ms : undefined;
}

/** Parses `--sort rating,-name` (a leading `-` sorts that column descending). */
export function parseSort(text: string): ExportSort[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) =>
    s.startsWith("-") ? { column: s.slice(1), descending: true } : { column: s }
  );
}

function presentRow(table: ExportTable, row: Record<string, unknown>): Record<string, unknown> {
  const spec = EXPORT_TABLES[table];
  const out: Record<string, unknown> = {};
  for (const column of spec.columns) {
    const value = row[column];
    out[column] =
      (spec.timeColumns as readonly string[]).includes(column) && typeof value === "number"
        ? new Date(value).toISOString()
        : typeof value === "bigint"
        ? Number(value)
        : value ?? null;
  }
  return out;
}

/** Where an export goes: a file written atomically, or stdout in batches. */
function createSink(out: string | undefined) {
  if (!out) {
    // printLine adds the final "\n" of each batch itself: print up to the last line end, without it.
    let pending = "";
    return {
      write(text: string) {
        pending += text;
        if (pending.length < 65536) return;
        const end = pending.lastIndexOf("\n");
        if (end < 0) return;
        printLine(pending.slice(0, end));
        pending = pending.slice(end + 1);
      },
      finish() {
        if (pending.length > 0) printLine(pending.endsWith("\n") ? pending.slice(0, -1) : pending);
      },
      abort() {},
    };
  }
  const temp = join(dirname(out), `.${basename(out)}.partial-${Deno.pid}`);
  const file = Deno.openSync(temp, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let buffer: string[] = [];
  const flush = () => {
    const bytes = encoder.encode(buffer.join(""));
    buffer = [];
    let written = 0;
    while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
  };
  return {
    write(line: string) {
      buffer.push(line);
      if (buffer.length >= 1000) flush();
    },
    finish() {
      flush();
      file.syncSync();
      file.close();
      Deno.renameSync(temp, out);
    },
    abort() {
      try {
        file.close();
      } catch { /* already closed */ }
      try {
        Deno.removeSync(temp);
      } catch { /* gone */ }
    },
  };
}

/** Registers `blitz export`. */
export function registerExportCommand(program: Command): void {
  program.command("export")
    .description("export players or games as CSV or JSON (read-only: works beside a running Blitz)")
    .addArgument(new Argument("<table>", "players or games").choices(["players", "games"] as const))
    .addOption(
      new Option("--format <format>", "csv (RFC 4180) or json").choices(["csv", "json"]).default(
        "csv",
      ),
    )
    .option("--out <file>", "write to this file (atomically) instead of stdout")
    .option(
      "--since <date>",
      "only rows since this UTC date or time (players: last_seen, games: created_at)",
    )
    .option(
      "--sort <columns>",
      "sort by these columns, comma-separated, '-' for descending (default: id)",
    )
    .option(
      "--dedup [columns]",
      "drop rows that repeat an earlier row's values in these columns (default: all)",
    )
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .addHelpText(
      "after",
      `\nColumns (stable order):\n  players: ${EXPORT_TABLES.players.columns.join(", ")}\n` +
        `  games:   ${EXPORT_TABLES.games.columns.join(", ")}\n` +
        "Times are ISO 8601 in UTC. Exit codes: 0 written, 1 failed, 2 bad option (e.g. --since).\n",
    )
    .action((tableName, flags, command) => {
      const table = tableName as ExportTable;
      const columns = EXPORT_TABLES[table].columns as readonly string[];
      let sinceMs: number | undefined;
      if (flags.since !== undefined) {
        sinceMs = parseSince(flags.since);
        if (sinceMs === undefined) {
          command.error(
            `error: invalid --since "${flags.since}": use a date like 2026-11-22 (UTC midnight) ` +
              `or a time like 2026-11-22T04:15:00Z`,
            { exitCode: ExitCode.Usage },
          );
        }
      }
      const sort = flags.sort ? parseSort(flags.sort) : [];
      const dedupColumns = flags.dedup === undefined
        ? undefined
        : flags.dedup === true
        ? [...columns]
        : flags.dedup.split(",").map((s) => s.trim()).filter(Boolean);
      for (const column of [...sort.map((s) => s.column), ...(dedupColumns ?? [])]) {
        if (!columns.includes(column)) {
          command.error(
            `error: unknown column "${column}" for ${table} (columns: ${columns.join(", ")})`,
            {
              exitCode: ExitCode.Usage,
            },
          );
        }
      }
      const config = loadVerbConfig(flags.dataDir);
      const path = join(config.dataDir, "blitz.db");
      if (looksLikeSqlite(path) !== "sqlite") {
        printError(`There is no Blitz database at "${path}" (check --data-dir / BLITZ_DATA_DIR)`);
        throw new ExitRequest(ExitCode.Failure);
      }
      let db: DatabaseSync;
      try {
        db = new DatabaseSync(path, { readOnly: true });
      } catch (error) {
        printError(`Cannot open "${path}": ${(error as Error).message}`);
        throw new ExitRequest(ExitCode.DatabaseUnusable);
      }
      let sink;
      try {
        sink = createSink(flags.out);
      } catch (error) {
        db.close();
        printError(
          `Cannot write "${flags.out}": ${
            (error as Error).message
          } (check the directory and its permissions)`,
        );
        throw new ExitRequest(ExitCode.Failure);
      }
      const seen = new Set<string>();
      let count = 0;
      try {
        if (flags.format === "csv") sink.write(`${csvRecord(columns)}\r\n`);
        else sink.write("[");
        for (const raw of exportRows(db, table, { sinceMs, sort })) {
          const row = presentRow(table, raw);
          if (dedupColumns) {
            const key = JSON.stringify(dedupColumns.map((c) => row[c]));
            if (seen.has(key)) continue;
            seen.add(key);
          }
          if (flags.format === "csv") sink.write(`${csvRecord(columns.map((c) => row[c]))}\r\n`);
          else sink.write(`${count === 0 ? "\n" : ",\n"}${JSON.stringify(row)}`);
          count++;
        }
        if (flags.format === "json") sink.write(count === 0 ? "]\n" : "\n]\n");
        sink.finish();
      } catch (error) {
        sink.abort();
        printError(
          `Export failed: ${(error as Error).message} (nothing was written${
            flags.out ? ` to "${flags.out}"` : ""
          })`,
        );
        throw new ExitRequest(ExitCode.Failure);
      } finally {
        db.close();
      }
      if (flags.out) printError(`Exported ${count} ${table} to ${flags.out}`);
    });
}
