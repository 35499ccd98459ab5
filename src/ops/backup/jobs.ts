/**
 * The heavy steps of backup and restore — snapshot, verify, prepare a restore copy — as jobs:
 * plain data in, plain data out, so they cross `postMessage` to the backup Worker. This file
 * holds the job shapes, their errors and the streaming helpers; the steps themselves are in
 * `job_snapshot.ts` and `job_verify.ts`, and `runner.ts` runs them (in a Worker or inline).
 */
import type { Hash } from "node:crypto";
import { isDiskFullMessage } from "../../store/errors.ts";
import { fsyncFile } from "./files.ts";
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
  if (isDiskFullMessage(message) || /quota/i.test(message)) {
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

/** A pass-through stream that feeds every chunk to `hash`. */
export function hashing(hash: Hash): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
}

/** Streams `from` through `transforms` into a new file `to`, then fsyncs it. */
export async function streamInto(
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
