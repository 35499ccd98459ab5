/**
 * The verification job: checksum against the manifest, gzip integrity, the SQLite header
 * (truncation), `integrity_check`, Blitz's schema and version, and per-table row counts. A bad
 * backup is a verdict, never an exception. Blocking: runs in the backup Worker.
 */
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { looksLikeSqlite } from "../../store/db.ts";
import { inspectDatabase, openImmutable } from "../../store/maintenance.ts";
import type { InvalidBackupReason } from "./errors.ts";
import { isGzipFile, removeQuietly, sha256File, sizeOf } from "./files.ts";
import {
  classifyError,
  type ExpectedBackup,
  hashing,
  streamInto,
  type VerifyJob,
  type VerifyResult,
} from "./jobs.ts";

interface FileCheck {
  ok: boolean;
  reason?: InvalidBackupReason;
  problems: string[];
  schemaVersion: number;
  rowCounts: Record<string, number>;
}

/** Reads the SQLite header: does the file hold all the pages it says it has? */
function headerProblem(path: string): string | undefined {
  using file = Deno.openSync(path, { read: true });
  const header = new Uint8Array(100);
  const n = file.readSync(header) ?? 0;
  const size = file.statSync().size;
  if (n < 100) return `it is cut short: ${size} bytes, less than a SQLite header`;
  const view = new DataView(header.buffer);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    return `its header is damaged (page size ${rawPageSize})`;
  }
  const pages = view.getUint32(28);
  const counterMatches = view.getUint32(24) === view.getUint32(92);
  if (counterMatches && pages > 0 && pages * pageSize > size) {
    return `it is truncated: the header says ${pages * pageSize} bytes, the file has ${size}`;
  }
  if (size % pageSize !== 0) {
    return `it is truncated: ${size} bytes is not a whole number of ${pageSize}-byte pages`;
  }
  return undefined;
}

/** Checks an uncompressed database file that nothing else is writing. */
export function verifyDatabaseFile(
  path: string,
  knownSchema: number,
  expected?: ExpectedBackup,
): FileCheck {
  const fail = (
    reason: InvalidBackupReason,
    problems: string[],
    found?: Partial<FileCheck>,
  ): FileCheck => ({
    ok: false,
    reason,
    problems,
    schemaVersion: found?.schemaVersion ?? 0,
    rowCounts: found?.rowCounts ?? {},
  });
  const kind = looksLikeSqlite(path);
  if (kind === "missing") return fail("missing", ["the file does not exist"]);
  if (kind === "empty") return fail("empty", ["the file is empty"]);
  if (kind === "other") {
    return fail("not-sqlite", ["it is not a SQLite database (wrong file header)"]);
  }
  const cut = headerProblem(path);
  if (cut) {
    return fail(
      cut.includes("truncated") || cut.includes("cut short") ? "truncated" : "integrity",
      [cut],
    );
  }
  let inspection;
  let db: DatabaseSync | undefined;
  try {
    db = openImmutable(path);
    inspection = inspectDatabase(db);
  } catch (error) {
    return fail("integrity", [`SQLite cannot read it: ${(error as Error).message}`]);
  } finally {
    db?.close();
  }
  const found = { schemaVersion: inspection.schemaVersion, rowCounts: inspection.rowCounts };
  if (inspection.integrityProblems.length > 0) {
    const shown = inspection.integrityProblems.slice(0, 3).join("; ");
    return fail("integrity", [`integrity_check failed: ${shown}`], found);
  }
  if (!inspection.blitzSchema) {
    return fail("not-blitz", [
      `it is a SQLite database without Blitz's schema (schema version ${inspection.schemaVersion}, no settings table)`,
    ], found);
  }
  if (inspection.schemaVersion > knownSchema) {
    return fail("newer-schema", [
      `it has schema version ${inspection.schemaVersion}, newer than this Blitz knows (${knownSchema}); ` +
      `use the newer Blitz that made it`,
    ], found);
  }
  if (expected && expected.schemaVersion !== inspection.schemaVersion) {
    return fail("schema-version", [
      `schema version ${inspection.schemaVersion} differs from the manifest's ${expected.schemaVersion}`,
    ], found);
  }
  if (expected) {
    const differences: string[] = [];
    const tables = new Set([
      ...Object.keys(expected.rowCounts),
      ...Object.keys(inspection.rowCounts),
    ]);
    for (const table of [...tables].sort()) {
      const want = expected.rowCounts[table];
      const have = inspection.rowCounts[table];
      if (want !== have) {
        differences.push(
          `${table}: ${want ?? "absent"} in the manifest, ${have ?? "absent"} in the file`,
        );
      }
    }
    if (differences.length > 0) {
      return fail("row-counts", [`row counts differ: ${differences.join("; ")}`], found);
    }
  }
  return { ok: true, problems: [], ...found };
}

/** Runs {@link VerifyJob}. Never throws for a bad backup: the verdict says what is wrong. */
export async function runVerify(job: VerifyJob): Promise<VerifyResult> {
  const base: VerifyResult = {
    ok: false,
    problems: [],
    compressed: false,
    sizeBytes: 0,
    databaseBytes: 0,
    sha256: "",
    databaseSha256: "",
    schemaVersion: 0,
    rowCounts: {},
  };
  const sizeBytes = sizeOf(job.path);
  if (sizeBytes === undefined) {
    return { ...base, reason: "missing", problems: ["the file does not exist"] };
  }
  if (sizeBytes === 0) return { ...base, reason: "empty", problems: ["the file is empty"] };
  let sha256: string;
  try {
    sha256 = await sha256File(job.path);
  } catch (error) {
    return {
      ...base,
      sizeBytes,
      reason: "unreadable",
      problems: [`it cannot be read: ${(error as Error).message}`],
    };
  }
  const result = { ...base, sizeBytes, sha256 };
  if (job.expected && job.expected.sha256 !== sha256) {
    return {
      ...result,
      reason: "checksum",
      problems: [
        `its SHA-256 is ${sha256.slice(0, 12)}…, the manifest recorded ${
          job.expected.sha256.slice(0, 12)
        }… ` +
        `(the file changed after the backup was made)`,
      ],
    };
  }
  const compressed = isGzipFile(job.path);
  let dbPath = job.path;
  let scratch: string | undefined;
  try {
    let databaseSha256 = sha256;
    if (compressed) {
      scratch = join(
        job.scratchDir,
        `.${basename(job.path)}.verify-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`,
      );
      const rawHash = createHash("sha256");
      try {
        await streamInto(job.path, scratch, [
          new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
          hashing(rawHash),
        ]);
      } catch (error) {
        const failure = classifyError(error, "write");
        if (failure.kind === "disk-full" || failure.kind === "not-writable") {
          return {
            ...result,
            compressed,
            reason: "unreadable",
            problems: [`it cannot be decompressed into "${job.scratchDir}": ${failure.message}`],
          };
        }
        return {
          ...result,
          compressed,
          reason: "truncated",
          problems: [`its gzip data is truncated or damaged (${failure.message})`],
        };
      }
      databaseSha256 = rawHash.digest("hex");
      dbPath = scratch;
    }
    const check = verifyDatabaseFile(dbPath, job.knownSchema, job.expected);
    return {
      ...result,
      compressed,
      databaseBytes: sizeOf(dbPath) ?? 0,
      databaseSha256,
      ok: check.ok,
      reason: check.reason,
      problems: check.problems,
      schemaVersion: check.schemaVersion,
      rowCounts: check.rowCounts,
    };
  } finally {
    if (scratch) removeQuietly(scratch);
  }
}
