import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createJobRunsRepo, type JobRunsRepo } from "../../src/store/jobs_repo.ts";
import {
  createScheduler,
  JobBusyError,
  type JobContext,
  type JobDefinition,
  type JobRunResult,
  type Scheduler,
  UnknownJobError,
} from "../../src/scheduler/scheduler.ts";
import { type FakeTime, fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";

const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

let store: Store | undefined;
afterEach(() => store?.close());

async function setup(start: string, jobs: JobDefinition[], prepare?: (repo: JobRunsRepo) => void) {
  store = openStore(join(await tempDir(), "blitz.db"));
  const repo = createJobRunsRepo(store);
  prepare?.(repo);
  const time = fakeTime(at(start));
  const finished: JobRunResult[] = [];
  const scheduler = createScheduler({
    clock: time,
    timers: time,
    repo,
    logger: log("test"),
    jobs,
    onRunFinished: (r) => finished.push(r),
  });
  return { repo, time, scheduler, finished };
}

/** Moves fake time forward in small steps, letting job promises settle in between. */
async function advance(time: FakeTime, scheduler: Scheduler, ms: number, stepMs = 60_000) {
  const end = time.now() + ms;
  while (time.now() < end) {
    time.advance(Math.min(stepMs, end - time.now()));
    await scheduler.idle();
    await Promise.resolve();
  }
}

function recorder(
  name: string,
  schedule: JobDefinition["schedule"],
  extra: Partial<JobDefinition> = {},
) {
  const runs: { at: number; ctx: JobContext }[] = [];
  let now = () => 0;
  const job: JobDefinition = {
    name,
    description: name,
    schedule,
    run: (ctx) => {
      runs.push({ at: now(), ctx });
      return Promise.resolve("done");
    },
    ...extra,
  };
  return { job, runs, setClock: (clock: () => number) => (now = clock) };
}

describe("the scheduler fires at the right local time", () => {
  it("runs the 04:00 Berlin backup at 04:00 local time on each side of the spring change", async () => {
    const backup = recorder("backup", {
      kind: "cron",
      expression: "0 4 * * *",
      timeZone: "Europe/Berlin",
    });
    const { time, scheduler, repo } = await setup("2026-03-27T12:00:00Z", [backup.job]);
    backup.setClock(() => time.now());
    scheduler.start();
    expect(backup.runs).toHaveLength(0); // a new job is not "missed"
    await advance(time, scheduler, 4 * 86_400_000);
    expect(backup.runs.map((r) => iso(r.at))).toEqual([
      "2026-03-28T03:00:00.000Z",
      "2026-03-29T02:00:00.000Z",
      "2026-03-30T02:00:00.000Z",
      "2026-03-31T02:00:00.000Z",
    ]);
    expect(backup.runs.every((r) => r.ctx.trigger === "schedule")).toBe(true);
    expect(backup.runs.map((r) => r.ctx.scheduledAt)).toEqual(backup.runs.map((r) => r.at));
    const stored = repo.recentRuns({ job: "backup", limit: 10 });
    expect(stored).toHaveLength(4);
    expect(stored.every((r) => r.outcome === "success" && r.detail === "done")).toBe(true);
    expect(stored[0]!.finished_at).toBe(at("2026-03-31T02:00:00Z"));
    await scheduler.stop();
  });

  it("runs a 02:30 Berlin job once on the autumn night the hour repeats", async () => {
    const job = recorder("nightly", {
      kind: "cron",
      expression: "30 2 * * *",
      timeZone: "Europe/Berlin",
    });
    const { time, scheduler } = await setup("2026-10-24T12:00:00Z", [job.job]);
    job.setClock(() => time.now());
    scheduler.start();
    await advance(time, scheduler, 3 * 86_400_000);
    expect(job.runs.map((r) => iso(r.at))).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; the second 02:30 (CET) is not a new run
      "2026-10-26T01:30:00.000Z",
      "2026-10-27T01:30:00.000Z",
    ]);
    await scheduler.stop();
  });

  it("shows each job's schedule, next run and last run", async () => {
    const job = recorder("report", { kind: "cron", expression: "0 23 * * *", timeZone: "UTC" });
    const { time, scheduler } = await setup("2026-06-01T22:00:00Z", [job.job]);
    job.setClock(() => time.now());
    scheduler.start();
    let [status] = scheduler.jobs();
    expect(status).toMatchObject({
      name: "report",
      schedule: "0 23 * * * (UTC)",
      running: false,
      nextRunAt: at("2026-06-01T23:00:00Z"),
      nextRunKind: "schedule",
      consecutiveFailures: 0,
    });
    expect(status!.lastRun).toBeUndefined();
    await advance(time, scheduler, 2 * 3_600_000);
    [status] = scheduler.jobs();
    expect(status!.lastRun?.outcome).toBe("success");
    expect(status!.lastSuccessAt).toBe(at("2026-06-01T23:00:00Z"));
    expect(status!.nextRunAt).toBe(at("2026-06-02T23:00:00Z"));
    await scheduler.stop();
  });
});

describe("catch-up on start", () => {
  const backupSchedule = {
    kind: "cron" as const,
    expression: "0 4 * * *",
    timeZone: "Europe/Berlin",
  };

  it("runs a job on start when the bot was down at its time, then keeps the schedule", async () => {
    const backup = recorder("backup", backupSchedule);
    const { time, scheduler, finished } = await setup(
      "2026-06-02T08:00:00Z",
      [backup.job],
      (repo) => {
        repo.firstSeen("backup", at("2026-05-01T00:00:00Z"));
        const id = repo.startRun({
          job: "backup",
          trigger: "schedule",
          attempt: 1,
          scheduled_at: at("2026-06-01T02:00:00Z"),
          started_at: at("2026-06-01T02:00:00Z"),
        });
        repo.finishRun(id, "success", at("2026-06-01T02:00:05Z"), "ok");
      },
    );
    backup.setClock(() => time.now());
    scheduler.start();
    await scheduler.idle();
    expect(backup.runs).toHaveLength(1);
    expect(backup.runs[0]!.ctx.trigger).toBe("catch-up");
    expect(iso(backup.runs[0]!.ctx.scheduledAt)).toBe("2026-06-02T02:00:00.000Z");
    expect(finished[0]!.trigger).toBe("catch-up");
    await advance(time, scheduler, 20 * 3_600_000);
    expect(backup.runs.map((r) => iso(r.at))).toEqual([
      "2026-06-02T08:00:00.000Z",
      "2026-06-03T02:00:00.000Z",
    ]);
    await scheduler.stop();
  });

  it("does not run on start when the last success is newer than the last scheduled time", async () => {
    const backup = recorder("backup", backupSchedule);
    const { scheduler } = await setup("2026-06-02T08:00:00Z", [backup.job], (repo) => {
      repo.firstSeen("backup", at("2026-05-01T00:00:00Z"));
      const id = repo.startRun({
        job: "backup",
        trigger: "schedule",
        attempt: 1,
        scheduled_at: at("2026-06-02T02:00:00Z"),
        started_at: at("2026-06-02T02:00:00Z"),
      });
      repo.finishRun(id, "success", at("2026-06-02T02:00:05Z"), "ok");
    });
    scheduler.start();
    await scheduler.idle();
    expect(backup.runs).toHaveLength(0);
    await scheduler.stop();
  });

  it("catches up a job that never succeeded since it was first known, and skips jobs that opt out", async () => {
    const backup = recorder("backup", backupSchedule);
    const health = recorder("health", { kind: "interval", everyMs: 300_000 }, { catchUp: false });
    const { scheduler } = await setup("2026-06-02T08:00:00Z", [backup.job, health.job], (repo) => {
      repo.firstSeen("backup", at("2026-06-01T12:00:00Z"));
      repo.firstSeen("health", at("2026-06-01T12:00:00Z"));
    });
    scheduler.start();
    await scheduler.idle();
    expect(backup.runs.map((r) => r.ctx.trigger)).toEqual(["catch-up"]);
    expect(health.runs).toHaveLength(0);
    await scheduler.stop();
  });

  it("marks runs left 'running' by a stopped process as interrupted", async () => {
    const backup = recorder("backup", backupSchedule);
    const { scheduler, repo } = await setup("2026-06-02T08:00:00Z", [backup.job], (r) => {
      r.startRun({
        job: "backup",
        trigger: "schedule",
        attempt: 1,
        scheduled_at: null,
        started_at: at("2026-06-02T02:00:00Z"),
      });
    });
    scheduler.start();
    await scheduler.idle();
    const runs = repo.recentRuns({ job: "backup", limit: 5 });
    expect(runs.find((r) => r.started_at === at("2026-06-02T02:00:00Z"))?.outcome).toBe(
      "interrupted",
    );
    await scheduler.stop();
  });
});

describe("no overlap", () => {
  it("never runs a job twice at once: a time that comes round mid-run is skipped and recorded", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const job: JobDefinition = {
      name: "slow",
      description: "slow",
      schedule: { kind: "interval", everyMs: 1000 },
      run: async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => (release = resolve));
        running--;
        return "finished";
      },
    };
    const { time, scheduler, repo } = await setup("2026-06-01T00:00:00Z", [job]);
    scheduler.start();
    time.advance(1000); // first run starts and hangs
    await Promise.resolve();
    expect(runs).toBe(1);
    for (let i = 0; i < 35; i++) {
      time.advance(100);
      await Promise.resolve();
    }
    expect(runs).toBe(1);
    expect(maxRunning).toBe(1);
    expect(scheduler.jobs()[0]!.running).toBe(true);
    await expect(scheduler.runNow("slow")).rejects.toBeInstanceOf(JobBusyError);
    const skipped = repo.recentRuns({ job: "slow", limit: 20 }).filter((r) =>
      r.outcome === "skipped"
    );
    expect(skipped.length).toBe(3);
    expect(skipped[0]!.detail).toMatch(/still going/);
    release();
    await scheduler.idle();
    time.advance(1000);
    await Promise.resolve();
    expect(runs).toBe(2);
    release();
    await scheduler.stop();
  });

  it("refuses to run a job it does not know", async () => {
    const { scheduler } = await setup("2026-06-01T00:00:00Z", []);
    await expect(scheduler.runNow("nope")).rejects.toBeInstanceOf(UnknownJobError);
  });
});

describe("failures", () => {
  it("retries a failing job with exponential backoff and reports each failure", async () => {
    let calls = 0;
    const attempts: number[] = [];
    const job: JobDefinition = {
      name: "backup",
      description: "backup",
      schedule: { kind: "cron", expression: "0 4 * * *", timeZone: "UTC" },
      run: (ctx) => {
        calls++;
        attempts.push(ctx.attempt);
        return calls <= 3
          ? Promise.reject(new Error(`disk full (${calls})`))
          : Promise.resolve("ok");
      },
    };
    const { time, scheduler, finished, repo } = await setup("2026-06-01T00:00:00Z", [job]);
    scheduler.start();
    await advance(time, scheduler, 5 * 3_600_000);
    expect(finished.map((f) => `${f.outcome} ${iso(f.startedAt)} ${f.trigger}`)).toEqual([
      "failure 2026-06-01T04:00:00.000Z schedule",
      "failure 2026-06-01T04:01:00.000Z retry",
      "failure 2026-06-01T04:03:00.000Z retry",
      "success 2026-06-01T04:07:00.000Z retry",
    ]);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(finished.map((f) => f.failures)).toEqual([1, 2, 3, 0]);
    expect(finished[0]!.retryAt).toBe(at("2026-06-01T04:01:00Z"));
    expect(finished[0]!.detail).toBe("disk full (1)");
    expect(repo.recentRuns({ job: "backup", limit: 10 }).map((r) => r.outcome)).toEqual([
      "success",
      "failure",
      "failure",
      "failure",
    ]);
    expect(scheduler.jobs()[0]!.nextRunAt).toBe(at("2026-06-02T04:00:00Z"));
    await scheduler.stop();
  });

  it("gives up after the last retry until the next scheduled run, and says so", async () => {
    const job: JobDefinition = {
      name: "report",
      description: "report",
      schedule: { kind: "cron", expression: "0 4 * * *", timeZone: "UTC" },
      run: () => Promise.reject(new Error("channel gone")),
      backoff: { baseMs: 60_000, maxMs: 600_000, maxRetries: 2 },
    };
    const { time, scheduler, finished } = await setup("2026-06-01T00:00:00Z", [job]);
    scheduler.start();
    await advance(time, scheduler, 5 * 3_600_000);
    expect(finished.map((f) => iso(f.startedAt))).toEqual([
      "2026-06-01T04:00:00.000Z",
      "2026-06-01T04:01:00.000Z",
      "2026-06-01T04:03:00.000Z",
    ]);
    expect(finished[2]!.retryAt).toBeUndefined();
    expect(finished[2]!.failures).toBe(3);
    const [status] = scheduler.jobs();
    expect(status!.consecutiveFailures).toBe(3);
    expect(status!.nextRunAt).toBe(at("2026-06-02T04:00:00Z"));
    expect(status!.nextRunKind).toBe("schedule");
    await scheduler.stop();
  });

  it("keeps counting failures across a restart", async () => {
    const job: JobDefinition = {
      name: "report",
      description: "report",
      schedule: { kind: "cron", expression: "0 4 * * *", timeZone: "UTC" },
      run: () => Promise.resolve("ok"),
      catchUp: false,
    };
    const { scheduler } = await setup("2026-06-01T12:00:00Z", [job], (repo) => {
      for (const minute of [0, 1, 3]) {
        const id = repo.startRun({
          job: "report",
          trigger: "schedule",
          attempt: 1,
          scheduled_at: null,
          started_at: at(`2026-06-01T04:0${minute}:00Z`),
        });
        repo.finishRun(id, "failure", at(`2026-06-01T04:0${minute}:01Z`), "boom");
      }
    });
    scheduler.start();
    expect(scheduler.jobs()[0]!.consecutiveFailures).toBe(3);
    await scheduler.stop();
  });

  it("runs a job on request and records it as manual, without moving the schedule", async () => {
    const job = recorder("maintenance", {
      kind: "cron",
      expression: "30 4 * * *",
      timeZone: "UTC",
    });
    const { time, scheduler, repo } = await setup("2026-06-01T00:00:00Z", [job.job]);
    job.setClock(() => time.now());
    scheduler.start();
    const result = await scheduler.runNow("maintenance");
    expect(result).toMatchObject({ outcome: "success", trigger: "manual", detail: "done" });
    expect(repo.recentRuns({ job: "maintenance", limit: 1 })[0]!.trigger).toBe("manual");
    expect(scheduler.jobs()[0]!.nextRunAt).toBe(at("2026-06-01T04:30:00Z"));
    await scheduler.stop();
  });
});
