/**
 * The pure core of the scheduler: "when does this run next?", "is it due?", "does it need a
 * catch-up run?" and "how long until the retry?", as functions over plain data and a time
 * zone. No timers, no clock reads: time comes in as ms since the epoch.
 *
 * Cron expressions are evaluated by croner in the job's IANA time zone. Across daylight
 * saving changes they follow wall-clock time: a time that does not exist (02:30 on the day
 * clocks spring forward) fires at the first instant after the gap (03:00 local); a time that
 * happens twice (02:30 on the day clocks fall back) fires once, at its first occurrence.
 */
import { Cron } from "croner";

/** When a job runs: a cron expression in a time zone, or a fixed interval. */
export type JobSchedule =
  | { kind: "cron"; expression: string; timeZone: string }
  | { kind: "interval"; everyMs: number };

/** Exponential backoff of retries after a failure. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Longest delay, ms. */
  maxMs: number;
  /** Retries after a failure before waiting for the next scheduled run. */
  maxRetries: number;
}

/** The default backoff: 1, 2, 4 minutes, then the next scheduled run. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 60_000, maxMs: 30 * 60_000, maxRetries: 3 };

const crons = new Map<string, Cron>();

function cronOf(expression: string, timeZone: string): Cron {
  const key = `${timeZone}\u0000${expression}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone: timeZone, paused: true });
    crons.set(key, cron);
  }
  return cron;
}

/**
 * Checks a cron expression and time zone. Returns what is wrong, or undefined when valid.
 */
export function cronProblem(expression: string, timeZone: string): string | undefined {
  if (expression.trim() === "") return "the cron expression is empty";
  try {
    new Cron(expression, { timezone: timeZone, paused: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The first run strictly after `afterMs`, or undefined if the schedule never runs again. */
export function nextRunAfter(schedule: JobSchedule, afterMs: number): number | undefined {
  if (schedule.kind === "interval") return afterMs + schedule.everyMs;
  const next = cronOf(schedule.expression, schedule.timeZone).nextRun(new Date(afterMs));
  return next ? next.getTime() : undefined;
}

/** The latest scheduled time at or before `atMs` (cron only; interval: undefined). */
export function previousRunAtOrBefore(schedule: JobSchedule, atMs: number): number | undefined {
  if (schedule.kind === "interval") return undefined;
  // previousRuns looks strictly before its reference: step one ms past `atMs`.
  const [previous] = cronOf(schedule.expression, schedule.timeZone).previousRuns(
    1,
    new Date(atMs + 1),
  );
  return previous ? previous.getTime() : undefined;
}

/** Is a run due at `nowMs`, given the last time it ran (or its baseline)? */
export function isDue(schedule: JobSchedule, lastRunMs: number, nowMs: number): boolean {
  const next = nextRunAfter(schedule, lastRunMs);
  return next !== undefined && next <= nowMs;
}

/**
 * Does a job need a run on start? Yes when a scheduled time passed since its last success
 * (or, before any success, since the scheduler first knew it): the process was down then.
 * Returns the missed scheduled time it stands for, or undefined.
 */
export function missedRun(
  schedule: JobSchedule,
  lastSuccessOrBaselineMs: number,
  nowMs: number,
): number | undefined {
  if (!isDue(schedule, lastSuccessOrBaselineMs, nowMs)) return undefined;
  return schedule.kind === "interval" ? nowMs : previousRunAtOrBefore(schedule, nowMs) ?? nowMs;
}

/** The typical time between runs, ms (for "stale" checks and display). */
export function periodMs(schedule: JobSchedule, nowMs: number): number {
  if (schedule.kind === "interval") return schedule.everyMs;
  const first = nextRunAfter(schedule, nowMs);
  const second = first === undefined ? undefined : nextRunAfter(schedule, first);
  return first !== undefined && second !== undefined ? second - first : Infinity;
}

/** Delay before retry number `attempt` (1 for the first retry): base × 2^(attempt−1), capped. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`Retry attempt must be a whole number ≥ 1, got ${attempt}`);
  }
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
}

/** What a job should do next after a run ended. */
export interface NextStep {
  /** When to run next (ms epoch), or undefined when never. */
  at: number | undefined;
  /** A retry of the failed run, or the regular schedule. */
  kind: "retry" | "schedule";
  /** Consecutive failures so far (0 after a success). */
  failures: number;
}

/**
 * Plans the next run after one ended at `nowMs`: after a success, the next scheduled time;
 * after a failure, a retry with backoff while retries remain and it comes before the next
 * scheduled time; otherwise the next scheduled time.
 */
export function planAfterRun(
  schedule: JobSchedule,
  outcome: "success" | "failure",
  previousFailures: number,
  nowMs: number,
  policy: BackoffPolicy,
): NextStep {
  const scheduled = nextRunAfter(schedule, nowMs);
  if (outcome === "success") return { at: scheduled, kind: "schedule", failures: 0 };
  const failures = previousFailures + 1;
  if (failures <= policy.maxRetries) {
    const retryAt = nowMs + backoffDelayMs(failures, policy);
    if (scheduled === undefined || retryAt < scheduled) {
      return { at: retryAt, kind: "retry", failures };
    }
  }
  return { at: scheduled, kind: "schedule", failures };
}

/** "0 4 * * * (Europe/Berlin)" or "every 300 s". */
export function describeSchedule(schedule: JobSchedule): string {
  if (schedule.kind === "interval") return `every ${Math.round(schedule.everyMs / 1000)} s`;
  return `${schedule.expression} (${schedule.timeZone})`;
}

/** The local calendar day of `atMs` in `timeZone`, as YYYY-MM-DD. */
export function localDay(atMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(atMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The instant local midnight begins the day of `atMs` in `timeZone` (ms epoch). */
export function startOfLocalDay(atMs: number, timeZone: string): number {
  const day = localDay(atMs, timeZone);
  const cron = cronOf("0 0 * * *", timeZone);
  // The previous local midnight at or before atMs (croner handles zones without midnight).
  const [previous] = cron.previousRuns(1, new Date(atMs + 1));
  const start = previous?.getTime() ?? atMs;
  return localDay(start, timeZone) === day ? start : atMs;
}

/** The local days (YYYY-MM-DD) of the `count` days ending with the day of `atMs`, oldest first. */
export function lastLocalDays(atMs: number, count: number, timeZone: string): string[] {
  const days: string[] = [];
  let cursor = atMs;
  for (let i = 0; i < count; i++) {
    days.unshift(localDay(cursor, timeZone));
    cursor = startOfLocalDay(cursor, timeZone) - 1;
  }
  return days;
}
