/**
 * The scheduler's shell: owns one timer, runs jobs when the pure core says they are due,
 * records every run in SQLite, retries failures with backoff, and runs a job on start when
 * a scheduled time passed while Blitz was down. A job never runs twice at once: a time that
 * comes round while the job still runs is recorded as "skipped".
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { JobRunRow, JobRunsRepo, JobTrigger } from "../store/jobs_repo.ts";
import { systemTimers, type Timers } from "./deadlines.ts";
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  describeSchedule,
  type JobSchedule,
  missedRun,
  nextRunAfter,
  planAfterRun,
} from "./schedule.ts";

/** What a running job is told. */
export interface JobContext {
  trigger: JobTrigger;
  /** 1 for a first try, 2 for the first retry, … */
  attempt: number;
  /** The scheduled time this run stands for (ms epoch; for manual runs, now). */
  scheduledAt: number;
  /** Aborted when the scheduler stops. */
  signal: AbortSignal;
}

/** A job: a name, when it runs, and what it does. `run` returns a one-line detail. */
export interface JobDefinition {
  name: string;
  description: string;
  schedule: JobSchedule;
  run(context: JobContext): Promise<string | void>;
  /** Run on start when a scheduled time was missed (default true). */
  catchUp?: boolean;
  backoff?: BackoffPolicy;
  /** Log successful runs at debug level (a frequent job such as the health check). */
  quiet?: boolean;
}

/** A finished run, as callbacks see it. */
export interface JobRunResult {
  job: string;
  trigger: JobTrigger;
  attempt: number;
  outcome: "success" | "failure";
  startedAt: number;
  finishedAt: number;
  detail: string;
  error?: unknown;
  /** Consecutive failures after this run (0 after a success). */
  failures: number;
  /** When a failure will be retried, if it will. */
  retryAt?: number;
}

/** A job as `/admin jobs`, `/api/jobs` and the dashboard show it. */
export interface JobStatus {
  name: string;
  description: string;
  schedule: string;
  running: boolean;
  runningSince?: number;
  nextRunAt?: number;
  nextRunKind?: "schedule" | "retry" | "catch-up";
  consecutiveFailures: number;
  lastRun?: JobRunRow;
  lastSuccessAt?: number;
}

/** Asked to run a job that is running. */
export class JobBusyError extends Error {
  override name = "JobBusyError";
  constructor(readonly job: string) {
    super(`Job "${job}" is already running (wait for it to finish; see /admin jobs)`);
  }
}

/** Asked to run a job that does not exist. */
export class UnknownJobError extends Error {
  override name = "UnknownJobError";
  constructor(readonly job: string, known: string[]) {
    super(`There is no job "${job}" (jobs: ${known.join(", ")})`);
  }
}

/** Options for {@link createScheduler}. */
export interface SchedulerOptions {
  clock: Clock;
  timers?: Timers;
  repo: JobRunsRepo;
  logger: Logger;
  jobs: readonly JobDefinition[];
  /** Longest single timer wait, ms (default 60 s): re-checks after clock jumps and sleeps. */
  maxTimerMs?: number;
  /** Every finished run (metrics, events). */
  onRunFinished?: (result: JobRunResult) => void;
}

/** The scheduler. */
export interface Scheduler {
  /** Marks runs left by a stopped process, plans every job (catch-up runs start now). */
  start(): void;
  /** Stops the timer and waits (at most `timeoutMs`) for running jobs. */
  stop(timeoutMs?: number): Promise<void>;
  jobs(): JobStatus[];
  /** Runs a job now. Throws {@link JobBusyError} or {@link UnknownJobError}. */
  runNow(name: string): Promise<JobRunResult>;
  /** Runs every due job (the timer calls this). */
  tick(): void;
  /** Resolves when no job is running. */
  idle(): Promise<void>;
}

interface JobState {
  def: JobDefinition;
  nextAt?: number;
  nextKind: "schedule" | "retry" | "catch-up";
  scheduledAt?: number;
  failures: number;
  running?: Promise<JobRunResult>;
  runningSince?: number;
}

/** Creates the scheduler (nothing runs before `start()`). */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, repo, logger } = options;
  const timers = options.timers ?? systemTimers;
  const maxTimerMs = options.maxTimerMs ?? 60_000;
  const states = new Map<string, JobState>();
  for (const def of options.jobs) {
    if (states.has(def.name)) throw new RangeError(`Job "${def.name}" is listed twice`);
    states.set(def.name, { def, nextKind: "schedule", failures: 0 });
  }
  const abort = new AbortController();
  let timer: number | undefined;
  let started = false;
  let stopped = false;

  const arm = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (!started || stopped) return;
    let earliest: number | undefined;
    for (const state of states.values()) {
      if (state.nextAt !== undefined && (earliest === undefined || state.nextAt < earliest)) {
        earliest = state.nextAt;
      }
    }
    if (earliest === undefined) return;
    const delay = Math.min(maxTimerMs, Math.max(0, earliest - clock.now()));
    timer = timers.setTimeout(() => {
      timer = undefined;
      scheduler.tick();
    }, delay);
  };

  const launch = (state: JobState, trigger: JobTrigger, scheduledAt: number) => {
    const { def } = state;
    const startedAt = clock.now();
    const attempt = trigger === "retry" ? state.failures + 1 : 1;
    // The regular schedule moves on while the job runs; a retry or catch-up is consumed.
    state.nextAt = nextRunAfter(def.schedule, startedAt);
    state.nextKind = "schedule";
    state.scheduledAt = state.nextAt;
    state.runningSince = startedAt;
    let runId: number | undefined;
    try {
      runId = repo.startRun({
        job: def.name,
        trigger,
        attempt,
        scheduled_at: scheduledAt,
        started_at: startedAt,
      });
    } catch (error) {
      logger.error("[Scheduler] Cannot record the start of {job}: {error}", {
        job: def.name,
        error,
      });
    }
    logger.debug("[Scheduler] {job} started ({trigger}, attempt {attempt})", {
      job: def.name,
      trigger,
      attempt,
    });
    const run = (async (): Promise<JobRunResult> => {
      let outcome: "success" | "failure" = "success";
      let detail = "";
      let error: unknown;
      try {
        detail = (await def.run({ trigger, attempt, scheduledAt, signal: abort.signal })) ?? "";
      } catch (caught) {
        outcome = "failure";
        error = caught;
        detail = (caught as Error)?.message ?? String(caught);
      }
      const finishedAt = clock.now();
      if (runId !== undefined) {
        try {
          repo.finishRun(runId, outcome, finishedAt, detail);
        } catch (recordError) {
          logger.error("[Scheduler] Cannot record the end of {job}: {error}", {
            job: def.name,
            error: recordError,
          });
        }
      }
      const plan = planAfterRun(
        def.schedule,
        outcome,
        state.failures,
        finishedAt,
        def.backoff ?? DEFAULT_BACKOFF,
      );
      state.failures = plan.failures;
      if (plan.kind === "retry") {
        state.nextAt = plan.at;
        state.nextKind = "retry";
      } else if (state.nextKind === "retry" || state.nextAt === undefined) {
        state.nextAt = plan.at;
        state.nextKind = "schedule";
      }
      const result: JobRunResult = {
        job: def.name,
        trigger,
        attempt,
        outcome,
        startedAt,
        finishedAt,
        detail,
        failures: state.failures,
        ...(error !== undefined ? { error } : {}),
        ...(plan.kind === "retry" && plan.at !== undefined ? { retryAt: plan.at } : {}),
      };
      if (outcome === "failure") {
        logger.error(
          "[Scheduler] {job} failed (attempt {attempt}): {detail}{retry}",
          {
            job: def.name,
            attempt,
            detail,
            retry: result.retryAt
              ? `; retrying at ${new Date(result.retryAt).toISOString()}`
              : "; no retry left before the next scheduled run",
          },
        );
      } else {
        logger[def.quiet ? "debug" : "info"]("[Scheduler] {job} done in {ms} ms: {detail}", {
          job: def.name,
          ms: finishedAt - startedAt,
          detail: detail || "ok",
        });
      }
      try {
        options.onRunFinished?.(result);
      } catch (hookError) {
        logger.error("[Scheduler] A run hook failed for {job}: {error}", {
          job: def.name,
          error: hookError,
        });
      }
      return result;
    })();
    state.running = run;
    run.finally(() => {
      state.running = undefined;
      state.runningSince = undefined;
      arm();
    });
    return run;
  };

  const scheduler: Scheduler = {
    start() {
      if (started) return;
      started = true;
      const now = clock.now();
      const interrupted = repo.markInterrupted(now);
      if (interrupted > 0) {
        logger.warn("[Scheduler] {count} job run(s) were interrupted by the last stop", {
          count: interrupted,
        });
      }
      for (const state of states.values()) {
        const { def } = state;
        const lastSuccess = repo.lastSuccess(def.name)?.started_at;
        const baseline = lastSuccess ?? repo.firstSeen(def.name, now);
        state.failures = leadingFailures(repo.recentRuns({ job: def.name, limit: 20 }));
        const missed = def.catchUp === false ? undefined : missedRun(def.schedule, baseline, now);
        if (missed !== undefined) {
          state.nextAt = now;
          state.nextKind = "catch-up";
          state.scheduledAt = missed;
          logger.info(
            "[Scheduler] {job} missed its run at {missed} (last success {last}): running it now",
            {
              job: def.name,
              missed: new Date(missed).toISOString(),
              last: lastSuccess ? new Date(lastSuccess).toISOString() : "never",
            },
          );
        } else {
          state.nextAt = nextRunAfter(def.schedule, now);
          state.nextKind = "schedule";
          state.scheduledAt = state.nextAt;
        }
      }
      scheduler.tick();
    },
    async stop(timeoutMs = 5000) {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      abort.abort();
      const running = [...states.values()].map((s) => s.running).filter(Boolean);
      if (running.length === 0) return;
      let timeout: number | undefined;
      await Promise.race([
        Promise.allSettled(running),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, timeoutMs) as unknown as number;
        }),
      ]);
      clearTimeout(timeout);
    },
    tick() {
      if (!started || stopped) return;
      const now = clock.now();
      for (const state of states.values()) {
        if (state.nextAt === undefined || state.nextAt > now) continue;
        if (state.running) {
          try {
            repo.recordSkipped(
              state.def.name,
              state.nextKind === "catch-up" ? "catch-up" : "schedule",
              now,
              "the previous run was still going",
            );
          } catch { /* recorded best-effort */ }
          logger.warn("[Scheduler] {job} is due but still running: skipped this time", {
            job: state.def.name,
          });
          state.nextAt = nextRunAfter(state.def.schedule, now);
          state.nextKind = "schedule";
          continue;
        }
        const trigger: JobTrigger = state.nextKind === "catch-up"
          ? "catch-up"
          : state.nextKind === "retry"
          ? "retry"
          : "schedule";
        launch(state, trigger, state.scheduledAt ?? state.nextAt);
      }
      arm();
    },
    runNow(name) {
      const state = states.get(name);
      if (!state) return Promise.reject(new UnknownJobError(name, [...states.keys()]));
      if (state.running) return Promise.reject(new JobBusyError(name));
      const pendingRetry = state.nextKind === "retry";
      const keepNext = { at: state.nextAt, kind: state.nextKind, scheduledAt: state.scheduledAt };
      const run = launch(state, "manual", clock.now());
      // A manual run does not move the regular schedule (unless it replaces a pending retry).
      if (!pendingRetry) {
        state.nextAt = keepNext.at;
        state.nextKind = keepNext.kind;
        state.scheduledAt = keepNext.scheduledAt;
      }
      arm();
      return run;
    },
    jobs() {
      return [...states.values()].map((state): JobStatus => {
        const { def } = state;
        let lastRun: JobRunRow | undefined;
        let lastSuccessAt: number | undefined;
        try {
          lastRun = repo.lastRun(def.name);
          lastSuccessAt = repo.lastSuccess(def.name)?.started_at;
        } catch { /* the store is closed or being restored */ }
        return {
          name: def.name,
          description: def.description,
          schedule: describeSchedule(def.schedule),
          running: state.running !== undefined,
          ...(state.runningSince !== undefined ? { runningSince: state.runningSince } : {}),
          ...(state.nextAt !== undefined
            ? { nextRunAt: state.nextAt, nextRunKind: state.nextKind }
            : {}),
          consecutiveFailures: state.failures,
          ...(lastRun ? { lastRun } : {}),
          ...(lastSuccessAt !== undefined ? { lastSuccessAt } : {}),
        };
      });
    },
    async idle() {
      for (;;) {
        const running = [...states.values()].map((s) => s.running).filter(Boolean);
        if (running.length === 0) return;
        await Promise.allSettled(running);
      }
    },
  };
  return scheduler;
}

/** Failures since the last success, from newest-first runs (skipped runs do not count). */
function leadingFailures(runs: readonly JobRunRow[]): number {
  let count = 0;
  for (const run of runs) {
    if (run.outcome === "skipped" || run.outcome === "interrupted" || run.outcome === "running") {
      continue;
    }
    if (run.outcome !== "failure") break;
    count++;
  }
  return count;
}
