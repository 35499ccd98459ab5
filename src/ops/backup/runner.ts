/**
 * Runs a backup job in a fresh Worker (one per job, terminated after it answers), so the main
 * thread only waits on a message. `inline: true` runs it on the calling thread instead (the
 * benchmark's comparison; tests that inject failures).
 */
import {
  type BackupJob,
  JobError,
  type JobFailureKind,
  type PrepareJob,
  type PrepareResult,
  type SnapshotJob,
  type SnapshotResult,
  type VerifyJob,
  type VerifyResult,
} from "./jobs.ts";
import { runPrepare, runSnapshot } from "./job_snapshot.ts";
import { runVerify } from "./job_verify.ts";
import type { WorkerReply } from "./worker.ts";
import { sourceRootUrl } from "../../source_root.ts";

/** Runs jobs; the service receives one so tests can replace it. */
export interface JobRunner {
  (job: SnapshotJob): Promise<SnapshotResult>;
  (job: VerifyJob): Promise<VerifyResult>;
  (job: PrepareJob): Promise<PrepareResult>;
}

/** The worker's module, found from the sources or from a bundle of the program alike. */
const WORKER_URL = new URL(
  "src/ops/backup/worker.ts",
  sourceRootUrl(import.meta.url, "src/ops/backup/runner.ts"),
);

function inWorker(job: BackupJob): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL.href, { type: "module", name: `blitz-backup-${job.op}` });
    const finish = () => worker.terminate();
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      finish();
      const reply = event.data;
      if (reply.ok) resolve(reply.result);
      else reject(new JobError(reply.failure.kind as JobFailureKind, reply.failure.message));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish();
      reject(new JobError("other", `The backup worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => {
      finish();
      reject(new JobError("other", "The backup worker sent an unreadable message"));
    };
    worker.postMessage(job);
  });
}

/** Creates a runner: in a Worker (default) or inline. */
export function createJobRunner(options: { inline?: boolean } = {}): JobRunner {
  const run = (job: BackupJob) => options.inline ? runJobInline(job) : inWorker(job);
  return run as JobRunner;
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
