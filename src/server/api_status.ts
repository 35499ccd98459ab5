/**
 * Admin API, read side (the dashboard polls or streams these). All behind the bearer token.
 * Times are ms since the epoch, sizes bytes, unless a name says otherwise.
 *
 * - `GET /api/status` → `OpsStatus` (src/ops/status.ts): `{version, at, startedAt,
 *   uptimeSeconds, timeZone, sandbox, status: "ok"|"unavailable", checks: {database, gateway,
 *   heartbeat}, health: "ok"|"info"|"warning"|"critical", sample: {at, uptimeSeconds,
 *   memory: {rssBytes, heapUsedBytes, heapTotalBytes, externalBytes}, cpu: {percent},
 *   eventLoop: {meanDelayMs, maxDelayMs}, disk: {path, totalBytes, freeBytes, usedPercent} | null,
 *   database: {path, sizeBytes, walBytes, answers}, gateway: {connected, heartbeatAcknowledged,
 *   latencyMs, downSeconds}, commands: {windowSeconds, count, errors, errorRatePercent, p50Ms,
 *   p95Ms, p99Ms}, errors: {last10m, byCategory10m}, backup: {lastVerifiedAgeSeconds,
 *   newestFile, inProgress, installedAgeSeconds}}, rules: [{rule, title, severity|null, value,
 *   unit, threshold, display, advice}], alerts: {active: [{rule, title, severity, since, value,
 *   announced}], recent: [AlertRecord]}, errors: {totals, last10m, byCategory10m, recent:
 *   [TrackedError]}, jobs: [JobStatus], features: [FeatureState], maintenance:
 *   MaintenanceState, safeMode, draining, games: {active, completedToday: number | null,
 *   topPlayers: [{id, name, rating, wins, losses}], records: {players, games, openGames,
 *   archivedGames} | null}, rateLimited, backups: {inProgress, newestVerified: {file, createdAt,
 *   ageSeconds} | null, newest: {file, createdAt, sizeBytes} | null}, interactions: {inFlight}}`
 * - `GET /api/errors?limit=20&category=database` → `{totals: {discord, database, command, job,
 *   http}, last10m, byCategory10m, recent: [{at, category, message, command?}]}` (newest first)
 * - `GET /api/jobs?runs=20&job=backup` → `{jobs: [{name, description, schedule, running,
 *   runningSince?, nextRunAt?, nextRunKind?: "schedule"|"retry"|"catch-up",
 *   consecutiveFailures, lastRun?: JobRun, lastSuccessAt?}], runs: [JobRun]}` where JobRun is
 *   `{id, job, trigger: "schedule"|"catch-up"|"retry"|"manual", attempt, scheduled_at,
 *   started_at, finished_at, outcome: "running"|"success"|"failure"|"skipped"|"interrupted",
 *   detail}` (newest first)
 * - `POST /api/jobs/:name/run` `{by?}` → 200 `{job, outcome: "success"|"failure", detail,
 *   durationMs}` once the run ends; 404 unknown job; 409 already running
 * - `GET /api/logs?tail=100` → `{file, lines: [object]}`: the last N (1–1000) JSON lines of
 *   `<data>/logs/blitz.log` (LogTape's `{@timestamp, level, message, logger, properties}`)
 * - `GET /api/stream` → Server-Sent Events: `status` (an OpsStatus) at once and then every
 *   sample (5 s); `alert` (AlertRecord), `audit` (AuditEntry), `job` (a finished run: {job,
 *   trigger, attempt, outcome, startedAt, finishedAt, detail, failures, retryAt?}), `error`
 *   (TrackedError), `feature` (FeatureState), `maintenance` (MaintenanceState) as they happen;
 *   `ping` every 15 s without other traffic. Each `data:` is one JSON document.
 */
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ErrorCategory, ErrorTracker } from "../ops/error_tracker.ts";
import { ERROR_CATEGORIES } from "../ops/error_tracker.ts";
import type { OpsEvent, OpsEvents } from "../ops/events.ts";
import { tailJsonLines } from "../ops/log_files.ts";
import type { OpsStatus } from "../ops/status.ts";
import { JobBusyError, type JobStatus, UnknownJobError } from "../scheduler/scheduler.ts";
import type { AdminActions } from "../services/admin_actions.ts";
import type { JobRunRow } from "../store/jobs_repo.ts";
import { ApiError, type ApiRouteGroup, readJson } from "./api.ts";
import { apiActor } from "./api_controls.ts";

/** What the read routes need (the ops runtime provides it). */
export interface StatusApiDeps {
  status(): OpsStatus;
  errors: ErrorTracker;
  jobs(): JobStatus[];
  recentRuns(options: { job?: string; limit: number }): JobRunRow[];
  actions: AdminActions;
  events: OpsEvents;
  logFile: string;
  /** The clock's now (ms epoch). */
  now: () => number;
  /** Counts an unexpected failure of an API route (error tracker, category http). */
  onHttpError?: (error: unknown, route: string) => void;
}

/** Reads an integer query parameter within [min, max], or answers 400. */
export function intParam(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(
      400,
      "bad_request",
      `"${name}" must be a whole number from ${min} to ${max}, got "${value}"`,
    );
  }
  return n;
}

/** The read routes, mounted under `/api`. Register it first: it also counts route failures. */
export function createStatusApiGroup(deps: StatusApiDeps): ApiRouteGroup {
  return (api: Hono) => {
    api.use("*", async (c, next) => {
      await next();
      if (c.error && !(c.error instanceof ApiError)) {
        deps.onHttpError?.(c.error, `${c.req.method} ${c.req.path}`);
      }
    });

    api.get("/status", (c) => c.json(deps.status()));

    api.get("/errors", (c) => {
      const limit = intParam(c.req.query("limit"), "limit", 20, 1, 500);
      const category = c.req.query("category");
      if (category !== undefined && !(ERROR_CATEGORIES as readonly string[]).includes(category)) {
        throw new ApiError(
          400,
          "bad_request",
          `"category" must be one of ${ERROR_CATEGORIES.join(", ")}, got "${category}"`,
        );
      }
      const since = deps.errors.since(deps.now() - 10 * 60_000);
      return c.json({
        totals: deps.errors.totals(),
        last10m: since.total,
        byCategory10m: since.byCategory,
        recent: deps.errors.recent(limit, category as ErrorCategory | undefined),
      });
    });

    api.get("/jobs", (c) => {
      const limit = intParam(c.req.query("runs"), "runs", 20, 0, 500);
      const job = c.req.query("job");
      const jobs = deps.jobs();
      if (job !== undefined && !jobs.some((j) => j.name === job)) {
        throw new ApiError(
          404,
          "not_found",
          `There is no job "${job}" (jobs: ${jobs.map((j) => j.name).join(", ")})`,
        );
      }
      return c.json({
        jobs,
        runs: limit === 0 ? [] : deps.recentRuns({ ...(job ? { job } : {}), limit }),
      });
    });

    api.post("/jobs/:name/run", async (c) => {
      const body = await readJson(c);
      const name = c.req.param("name");
      try {
        return c.json(await deps.actions.runJob(name, apiActor(body)));
      } catch (error) {
        if (error instanceof UnknownJobError) throw new ApiError(404, "not_found", error.message);
        if (error instanceof JobBusyError) throw new ApiError(409, "job_running", error.message);
        throw error;
      }
    });

    api.get("/logs", (c) => {
      const tail = intParam(c.req.query("tail"), "tail", 100, 1, 1000);
      return c.json({ file: deps.logFile, lines: tailJsonLines(deps.logFile, tail) });
    });

    api.get("/stream", (c) => {
      c.header("Cache-Control", "no-store");
      return streamSSE(c, async (stream) => {
        const queue: OpsEvent[] = [];
        let wake: (() => void) | undefined;
        let closed = false;
        const stop = () => {
          closed = true;
          wake?.();
        };
        const unsubscribe = deps.events.subscribe((event) => {
          queue.push(event);
          if (queue.length > 1000) queue.splice(0, queue.length - 1000);
          wake?.();
        }, stop);
        stream.onAbort(() => {
          unsubscribe();
          stop();
        });
        let id = 0;
        try {
          await stream.writeSSE({
            event: "status",
            data: JSON.stringify(deps.status()),
            id: String(++id),
          });
          while (!closed) {
            if (queue.length === 0) {
              let timer: number | undefined;
              await new Promise<void>((resolve) => {
                wake = resolve;
                timer = setTimeout(resolve, 15_000) as unknown as number;
              });
              clearTimeout(timer);
              wake = undefined;
              if (closed) break;
              if (queue.length === 0) {
                await stream.writeSSE({ event: "ping", data: "{}" });
                continue;
              }
            }
            const event = queue.shift()!;
            await stream.writeSSE({
              event: event.type,
              data: JSON.stringify(event.data),
              id: String(++id),
            });
          }
        } finally {
          unsubscribe();
        }
      });
    });
  };
}
