/**
 * The snapshot and restore-copy jobs. `VACUUM INTO` reads one consistent snapshot of the live
 * database (under WAL the bot keeps writing) into a temporary file, which is fsynced and
 * verified before anyone may rename it into place. Blocking: runs in the backup Worker.
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { vacuumInto } from "../../store/maintenance.ts";
import { fsyncFile, isGzipFile, removeQuietly, sha256File, sizeOf } from "./files.ts";
import {
  classifyError,
  hashing,
  JobError,
  type PrepareJob,
  type PrepareResult,
  type SnapshotJob,
  type SnapshotResult,
  streamInto,
} from "./jobs.ts";
import { verifyDatabaseFile } from "./job_verify.ts";

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
