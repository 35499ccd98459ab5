/**
 * The heavy steps of backup and restore — snapshot, verify, prepare a restore copy — as plain
 * async functions over paths. They block for as long as SQLite works, so the service runs them
 * in a Worker (`worker.ts`) with its own connection; `runJobInline` exists for the benchmark's
 * comparison and for tests. Results and errors are plain data, so they cross `postMessage`.
 */
import { createHash, type Hash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { looksLikeSqlite } from "../../store/db.ts";
import { inspectDatabase, openImmutable, vacuumInto } from "../../store/maintenance.ts";
import { DatabaseSync } from "node:sqlite";
import { fsyncFile, isGzipFile, removeQuietly, sha256File, sizeOf } from "./files.ts";
import type { InvalidBackupReason } from "./errors.ts";

/** Take a consistent snapshot of `source` into `target` (must not exist), verify it, maybe gzip it. */
export interface SnapshotJob {
  op: "snapshot";
  source: string;
  /** Temporary path of the uncompressed snapshot. */
  target: string;
  /** When set, the snapshot is gzipped to this temporary path and `target` removed. */
  gzipTarget?: string;
  /** Newest schema version this build knows. */
  knownSchema: number;
}

/** What a backup file is expected to hold (from the manifest). */
export interface ExpectedBackup {
  sha256: string;
  schemaVersion: number;
  rowCounts: Record<string, number>;
}

/** Check a backup file: checksum, decompression, SQLite header, integrity, schema, row counts. */
export interface VerifyJob {
  op: "verify";
  path: string;
  /** Directory for a temporary decompressed copy (removed afterwards). */
  scratchDir: string;
  knownSchema: number;
  expected?: ExpectedBackup;
}

/** Copy (or decompress) a verified backup to `target` beside the live database, and fsync it. */
export interface PrepareJob {
  op: "prepare";
  path: string;
  target: string;
  /** SHA-256 of the database bytes as verified; a different copy is refused. */
  expectedDatabaseSha256: string;
}

/** Any job. */
export type BackupJob = SnapshotJob | VerifyJob | PrepareJob;

/** A snapshot's figures. */
export interface SnapshotResult {
  ok: boolean;
  /** Why the snapshot failed its check, when not ok. */
  reason?: InvalidBackupReason;
  problems: string[];
  /** The file written: `gzipTarget` or `target`. */
  path: string;
  schemaVersion: number;
  rowCounts: Record<string, number>;
  sizeBytes: number;
  databaseBytes: number;
  sha256: string;
  databaseSha256: string;
}

/** A verification's verdict. */
export interface VerifyResult {
  ok: boolean;
  /** The first failure's kind, when not ok. */
  reason?: InvalidBackupReason;
  problems: string[];
  compressed: boolean;
  sizeBytes: number;
  databaseBytes: number;
  sha256: string;
  databaseSha256: string;
  schemaVersion: number;
  rowCounts: Record<string, number>;
}

/** A prepared restore copy. */
export interface PrepareResult {
  path: string;
  databaseSha256: string;
}

/** What kind of failure a job ran into, for the service's error messages. */
export type JobFailureKind =
  | "disk-full"
  | "not-writable"
  | "source-unusable"
  | "source-missing"
  | "other";

/** A job's error, as plain data. */
export interface JobFailure {
  kind: JobFailureKind;
  message: string;
}

/** A job failed; `kind` says how. */
export class JobError extends Error {
  override name = "JobError";
  constructor(readonly kind: JobFailureKind, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Classifies an error thrown by SQLite or the file system. */
export function classifyError(error: unknown, step: "read" | "write"): JobFailure {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof JobError) return { kind: error.kind, message };
  if (/disk is full|ENOSPC|No space left|quota/i.test(message)) {
    return { kind: "disk-full", message };
  }
  if (
    error instanceof Deno.errors.PermissionDenied ||
    /EACCES|EROFS|permission denied|read-only file system|unable to open database file/i.test(
      message,
    )
  ) {
    return { kind: step === "write" ? "not-writable" : "source-unusable", message };
  }
  if (/malformed|not a database|corrupt/i.test(message)) {
    return { kind: "source-unusable", message };
  }
  return { kind: "other", message };
}

function hashing(hash: Hash): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
}

/** Streams `from` through `transforms` into a new file `to`, then fsyncs it. */
async function streamInto(
  from: string,
  to: string,
  transforms: TransformStream<Uint8Array, Uint8Array>[],
) {
  const source = await Deno.open(from, { read: true });
  const target = await Deno.open(to, { write: true, createNew: true, mode: 0o644 });
  let stream: ReadableStream<Uint8Array> = source.readable;
  for (const transform of transforms) stream = stream.pipeThrough(transform);
  await stream.pipeTo(target.writable);
  fsyncFile(to);
}

/** Runs {@link SnapshotJob}. The temporary files are removed on any failure. */
export async function runSnapshot(job: SnapshotJob): Promise<SnapshotResult> {
  const cleanup = () => {
    removeQuietly(job.target);
    if (job.gzipTarget) removeQuietly(job.gzipTarget);
  };
  try {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(job.source, { readOnly: true });
    } catch (error) {
      throw new JobError("source-unusable", (error as Error).message, { cause: error });
    }
    try {
      vacuumInto(db, job.target);
    } catch (error) {
      const failure = classifyError(error, "write");
      // A failure to read the source is the live database's problem, not the destination's.
      const kind = /malformed|not a database|corrupt/i.test(failure.message)
        ? "source-unusable"
        : failure.kind;
      throw new JobError(kind, failure.message, { cause: error });
    } finally {
      db.close();
    }
    fsyncFile(job.target);
    const check = verifyDatabaseFile(job.target, job.knownSchema);
    if (!check.ok) {
      cleanup();
      return {
        ...check,
        path: job.target,
        sizeBytes: 0,
        databaseBytes: 0,
        sha256: "",
        databaseSha256: "",
      };
    }
    const databaseBytes = sizeOf(job.target) ?? 0;
    if (job.gzipTarget) {
      const rawHash = createHash("sha256");
      const gzHash = createHash("sha256");
      await streamInto(job.target, job.gzipTarget, [
        hashing(rawHash),
        new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
        hashing(gzHash),
      ]);
      removeQuietly(job.target);
      return {
        ok: true,
        problems: [],
        path: job.gzipTarget,
        schemaVersion: check.schemaVersion,
        rowCounts: check.rowCounts,
        sizeBytes: sizeOf(job.gzipTarget) ?? 0,
        databaseBytes,
        sha256: gzHash.digest("hex"),
        databaseSha256: rawHash.digest("hex"),
      };
    }
    const sha256 = await sha256File(job.target);
    return {
      ok: true,
      problems: [],
      path: job.target,
      schemaVersion: check.schemaVersion,
      rowCounts: check.rowCounts,
      sizeBytes: databaseBytes,
      databaseBytes,
      sha256,
      databaseSha256: sha256,
    };
  } catch (error) {
    cleanup();
    const failure = classifyError(error, "write");
    throw new JobError(failure.kind, failure.message, { cause: error });
  }
}

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

/** Runs {@link PrepareJob}: the copy is fsynced and its hash checked; removed on any failure. */
export async function runPrepare(job: PrepareJob): Promise<PrepareResult> {
  const hash = createHash("sha256");
  try {
    const transforms = isGzipFile(job.path)
      ? [new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>, hashing(hash)]
      : [hashing(hash)];
    await streamInto(job.path, job.target, transforms);
    const databaseSha256 = hash.digest("hex");
    if (databaseSha256 !== job.expectedDatabaseSha256) {
      throw new JobError(
        "other",
        `the backup changed while it was being restored (checksum differs); nothing was replaced`,
      );
    }
    return { path: job.target, databaseSha256 };
  } catch (error) {
    removeQuietly(job.target);
    const failure = classifyError(error, "write");
    throw new JobError(failure.kind, `${failure.message} (writing "${dirname(job.target)}")`, {
      cause: error,
    });
  }
}

/** Runs any job on the current thread. */
export function runJobInline(
  job: BackupJob,
): Promise<SnapshotResult | VerifyResult | PrepareResult> {
  switch (job.op) {
    case "snapshot":
      return runSnapshot(job);
    case "verify":
      return runVerify(job);
    case "prepare":
      return runPrepare(job);
  }
}
