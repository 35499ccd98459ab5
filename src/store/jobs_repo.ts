/**
 * Scheduler records in SQL: when each job was first known (the catch-up baseline before its
 * first success) and one row per run with its start, end, outcome and detail.
 */
import type { Store } from "./store.ts";

/** How a run was started. */
export type JobTrigger = "schedule" | "catch-up" | "retry" | "manual";
/** How a run ended ("running" while it runs; "interrupted" when the process stopped first). */
export type JobOutcome = "running" | "success" | "failure" | "skipped" | "interrupted";

/** A run as stored. Times are ms since the epoch. */
export interface JobRunRow {
  id: number;
  job: string;
  trigger: JobTrigger;
  attempt: number;
  scheduled_at: number | null;
  started_at: number;
  finished_at: number | null;
  outcome: JobOutcome;
  detail: string;
}

/** The job-runs repository. */
export interface JobRunsRepo {
  /** When the job was first known; records `now` the first time it is asked. */
  firstSeen(job: string, now: number): number;
  /** The earliest first-seen time of any job (roughly: when Blitz was set up), if any. */
  installedAt(): number | undefined;
  startRun(
    run: Pick<JobRunRow, "job" | "trigger" | "attempt" | "scheduled_at" | "started_at">,
  ): number;
  finishRun(id: number, outcome: Exclude<JobOutcome, "running">, at: number, detail: string): void;
  /** Records a run that did not start (e.g. the previous one was still going). */
  recordSkipped(job: string, trigger: JobTrigger, at: number, detail: string): void;
  lastSuccess(job: string): JobRunRow | undefined;
  lastRun(job: string): JobRunRow | undefined;
  /** Newest first; all jobs when `job` is undefined. */
  recentRuns(options: { job?: string; limit: number }): JobRunRow[];
  /** Marks runs left "running" by a process that stopped as "interrupted". Returns how many. */
  markInterrupted(at: number): number;
  /** Deletes finished runs that started before `beforeMs`. Returns how many. */
  pruneBefore(beforeMs: number): number;
  /** Successful runs of `job` started in [fromMs, toMs). */
  countSuccesses(job: string, fromMs: number, toMs: number): number;
}

/** Creates the repository over a store. */
export function createJobRunsRepo(store: Store): JobRunsRepo {
  return {
    firstSeen(job, now) {
      store.prepare(
        "INSERT INTO scheduler_jobs (name, first_seen_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
      ).run(job, now);
      const row = store.prepare("SELECT first_seen_at FROM scheduler_jobs WHERE name = ?").get(
        job,
      ) as { first_seen_at: number };
      return row.first_seen_at;
    },
    installedAt() {
      const row = store.prepare("SELECT min(first_seen_at) AS at FROM scheduler_jobs").get() as {
        at: number | null;
      };
      return row.at ?? undefined;
    },
    startRun(run) {
      const row = store.prepare(
        `INSERT INTO job_runs (job, trigger, attempt, scheduled_at, started_at, outcome)
         VALUES (?, ?, ?, ?, ?, 'running') RETURNING id`,
      ).get(run.job, run.trigger, run.attempt, run.scheduled_at, run.started_at) as { id: number };
      return Number(row.id);
    },
    finishRun(id, outcome, at, detail) {
      store.prepare("UPDATE job_runs SET outcome = ?, finished_at = ?, detail = ? WHERE id = ?")
        .run(outcome, at, detail.slice(0, 2000), id);
    },
    recordSkipped(job, trigger, at, detail) {
      store.prepare(
        `INSERT INTO job_runs (job, trigger, attempt, scheduled_at, started_at, finished_at, outcome, detail)
         VALUES (?, ?, 1, ?, ?, ?, 'skipped', ?)`,
      ).run(job, trigger, at, at, at, detail);
    },
    lastSuccess: (job) =>
      store.prepare(
        "SELECT * FROM job_runs WHERE job = ? AND outcome = 'success' ORDER BY started_at DESC, id DESC LIMIT 1",
      ).get(job) as JobRunRow | undefined,
    lastRun: (job) =>
      store.prepare(
        "SELECT * FROM job_runs WHERE job = ? AND outcome != 'skipped' ORDER BY started_at DESC, id DESC LIMIT 1",
      ).get(job) as JobRunRow | undefined,
    recentRuns({ job, limit }) {
      if (job) {
        return store.prepare(
          "SELECT * FROM job_runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT ?",
        ).all(job, limit) as unknown as JobRunRow[];
      }
      return store.prepare("SELECT * FROM job_runs ORDER BY started_at DESC, id DESC LIMIT ?")
        .all(limit) as unknown as JobRunRow[];
    },
    markInterrupted(at) {
      const result = store.prepare(
        "UPDATE job_runs SET outcome = 'interrupted', finished_at = ?, detail = 'Blitz stopped during the run' WHERE outcome = 'running'",
      ).run(at);
      return Number(result.changes);
    },
    pruneBefore(beforeMs) {
      const result = store.prepare(
        "DELETE FROM job_runs WHERE started_at < ? AND outcome != 'running'",
      ).run(beforeMs);
      return Number(result.changes);
    },
    countSuccesses(job, fromMs, toMs) {
      const row = store.prepare(
        "SELECT count(*) AS n FROM job_runs WHERE job = ? AND outcome = 'success' AND started_at >= ? AND started_at < ?",
      ).get(job, fromMs, toMs) as { n: number };
      return Number(row.n);
    },
  };
}
