/**
 * Database maintenance and inspection: the SQL behind backups (`VACUUM INTO`, row counts,
 * "is this Blitz's schema?"), `blitz db check|vacuum|stats` and `blitz export`. Everything
 * here takes a `DatabaseSync`, so it runs the same on the main thread and in the backup
 * Worker. Nothing here decides policy; callers do.
 */
import { DatabaseSync } from "node:sqlite";
import { checkIntegrity, schemaVersion } from "./db.ts";

/** Rows per user table (SQLite's own `sqlite_*` tables left out), sorted by table name. */
export function tableRowCounts(db: DatabaseSync): Record<string, number> {
  const tables = db.prepare(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all() as { name: string }[];
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const row = db.prepare(`SELECT count(*) AS n FROM ${quoteIdentifier(name)}`).get() as {
      n: number;
    };
    counts[name] = Number(row.n);
  }
  return counts;
}

/** Does this database carry Blitz's schema (a schema version and the `settings` table)? */
export function hasBlitzSchema(db: DatabaseSync): boolean {
  if (schemaVersion(db) < 1) return false;
  const row = db.prepare(
    "SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = 'settings'",
  )
    .get() as { found: number } | undefined;
  return row?.found === 1;
}

/**
 * Writes a consistent, compact copy of the database to `path` with `VACUUM INTO` (one read
 * transaction: under WAL, writers carry on). `path` must not exist. Synchronous: run it off
 * the main thread for a database of any size.
 */
export function vacuumInto(db: DatabaseSync, path: string): void {
  db.prepare("VACUUM INTO ?").run(path);
}

/** Opens a file that nothing else writes (a backup) without creating -wal/-shm/-journal files. */
export function openImmutable(path: string): DatabaseSync {
  const escaped = path.replace(
    /[%?#]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return new DatabaseSync(`file:${escaped}?immutable=1`, { readOnly: true });
}

/** What a full inspection of a database file found. */
export interface DatabaseInspection {
  /** Problems from `PRAGMA integrity_check` (empty: intact). */
  integrityProblems: string[];
  schemaVersion: number;
  blitzSchema: boolean;
  rowCounts: Record<string, number>;
}

/** Runs `integrity_check`, reads the schema version and counts rows. */
export function inspectDatabase(db: DatabaseSync): DatabaseInspection {
  const integrityProblems = checkIntegrity(db, true);
  const version = schemaVersion(db);
  const blitzSchema = hasBlitzSchema(db);
  return {
    integrityProblems,
    schemaVersion: version,
    blitzSchema,
    rowCounts: integrityProblems.length === 0 ? tableRowCounts(db) : {},
  };
}

/**
 * Checkpoints the WAL into the main file and truncates it. Returns false when a reader kept
 * part of the log from being copied (SQLite's `busy`).
 */
export function checkpointTruncate(db: DatabaseSync): boolean {
  const row = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as
    | { busy: number; log: number; checkpointed: number }
    | undefined;
  return !row || row.busy === 0;
}

/** One table's figures for `blitz db stats`. */
export interface TableStats {
  name: string;
  rows: number;
  /** Bytes of its pages and its indexes' pages (from `dbstat`; null where unavailable). */
  bytes: number | null;
}

/** Page, freelist and size figures for `blitz db stats`. */
export interface DatabaseStats {
  schemaVersion: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  /** Bytes a VACUUM could give back (free pages × page size). */
  freeBytes: number;
  fileBytes: number;
  walBytes: number;
  journalMode: string;
  tables: TableStats[];
}

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row ? Object.values(row)[0] : 0);
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/** Gathers page, freelist, WAL and per-table figures. `path` is the database file. */
export function databaseStats(db: DatabaseSync, path: string): DatabaseStats {
  const counts = tableRowCounts(db);
  const bytesByTable = new Map<string, number>();
  let haveDbstat = true;
  try {
    const rows = db.prepare(
      `SELECT coalesce(m.tbl_name, s.name) AS owner, sum(s.pgsize) AS bytes
         FROM dbstat AS s LEFT JOIN sqlite_schema AS m ON m.name = s.name
        GROUP BY owner`,
    ).all() as { owner: string; bytes: number }[];
    for (const row of rows) bytesByTable.set(row.owner, Number(row.bytes));
  } catch {
    haveDbstat = false; // SQLite built without the dbstat table
  }
  const pageSize = pragmaNumber(db, "page_size");
  const freelistCount = pragmaNumber(db, "freelist_count");
  const journal = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string } | undefined;
  return {
    schemaVersion: schemaVersion(db),
    pageSize,
    pageCount: pragmaNumber(db, "page_count"),
    freelistCount,
    freeBytes: freelistCount * pageSize,
    fileBytes: fileSize(path),
    walBytes: fileSize(`${path}-wal`),
    journalMode: journal?.journal_mode ?? "unknown",
    tables: Object.entries(counts).map(([name, rows]) => ({
      name,
      rows,
      bytes: haveDbstat ? bytesByTable.get(name) ?? 0 : null,
    })).sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || a.name.localeCompare(b.name)),
  };
}

/** What {@link vacuumAndAnalyze} did. */
export interface VacuumResult {
  bytesBefore: number;
  bytesAfter: number;
  /** Bytes given back to the file system (never negative). */
  reclaimedBytes: number;
  durationMs: number;
}

/**
 * `VACUUM` then `ANALYZE`, then a WAL checkpoint so the file sizes are final. Needs the only
 * connection that writes (take the data-directory lock first). Sizes count the file and its WAL.
 */
export function vacuumAndAnalyze(db: DatabaseSync, path: string): VacuumResult {
  const started = performance.now();
  checkpointTruncate(db);
  const bytesBefore = fileSize(path) + fileSize(`${path}-wal`);
  db.exec("VACUUM");
  db.exec("ANALYZE");
  checkpointTruncate(db);
  const bytesAfter = fileSize(path) + fileSize(`${path}-wal`);
  return {
    bytesBefore,
    bytesAfter,
    reclaimedBytes: Math.max(0, bytesBefore - bytesAfter),
    durationMs: Math.round(performance.now() - started),
  };
}

/** Tables `blitz export` knows, with their columns in the stable order they are written. */
export const EXPORT_TABLES = {
  players: {
    key: "id",
    columns: [
      "id",
      "name",
      "rating",
      "wins",
      "losses",
      "points_for",
      "points_against",
      "games_played",
      "last_seen",
    ],
    sinceColumn: "last_seen",
    timeColumns: ["last_seen"],
  },
  games: {
    key: "id",
    columns: [
      "id",
      "guild_id",
      "channel_id",
      "message_id",
      "mode",
      "status",
      "home_id",
      "away_id",
      "seed",
      "possessions",
      "shot_clock_ms",
      "picks",
      "home_score",
      "away_score",
      "winner",
      "forfeited_by",
      "created_at",
      "updated_at",
      "finished_at",
      "archived",
    ],
    sinceColumn: "created_at",
    timeColumns: ["created_at", "updated_at", "finished_at"],
  },
} as const;

/** A table `blitz export` can write. */
export type ExportTable = keyof typeof EXPORT_TABLES;

/** One sort key for {@link exportRows}. */
export interface ExportSort {
  column: string;
  descending?: boolean;
}

/** Options for {@link exportRows}. */
export interface ExportQuery {
  /** Only rows at or after this time (ms epoch) in the table's time column. */
  sinceMs?: number;
  /** Sort keys (validated against the table's columns); the key column breaks ties. */
  sort?: readonly ExportSort[];
}

/**
 * Iterates a table's rows, columns in {@link EXPORT_TABLES} order. Column names in `sort`
 * must be export columns (throws `RangeError` otherwise), so nothing user-given reaches SQL.
 */
export function* exportRows(
  db: DatabaseSync,
  table: ExportTable,
  query: ExportQuery = {},
): Generator<Record<string, unknown>> {
  const spec = EXPORT_TABLES[table];
  const known = spec.columns as readonly string[];
  const order: string[] = [];
  for (const key of query.sort ?? []) {
    if (!known.includes(key.column)) {
      throw new RangeError(
        `Unknown column "${key.column}" for ${table} (columns: ${known.join(", ")})`,
      );
    }
    order.push(`${quoteIdentifier(key.column)} ${key.descending ? "DESC" : "ASC"}`);
  }
  order.push(`${quoteIdentifier(spec.key)} ASC`);
  const where = query.sinceMs !== undefined
    ? `WHERE ${quoteIdentifier(spec.sinceColumn)} >= ?`
    : "";
  const sql = `SELECT ${known.map(quoteIdentifier).join(", ")} FROM ${
    quoteIdentifier(table)
  } ${where} ORDER BY ${order.join(", ")}`;
  const statement = db.prepare(sql);
  const params = query.sinceMs !== undefined ? [query.sinceMs] : [];
  for (const row of statement.iterate(...params)) yield row as Record<string, unknown>;
}

/** Quotes an SQL identifier. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
