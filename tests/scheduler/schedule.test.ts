import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  cronProblem,
  DEFAULT_BACKOFF,
  describeSchedule,
  isDue,
  type JobSchedule,
  lastLocalDays,
  localDay,
  missedRun,
  nextRunAfter,
  periodMs,
  planAfterRun,
  previousRunAtOrBefore,
  startOfLocalDay,
} from "../../src/scheduler/schedule.ts";

const berlin = (expression: string): JobSchedule => ({
  kind: "cron",
  expression,
  timeZone: "Europe/Berlin",
});
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (text: string) => Date.parse(text);

describe("cron schedules in a time zone", () => {
  it("runs the 04:00 backup at 04:00 Berlin time on both sides of the spring change", () => {
    const backup = berlin("0 4 * * *");
    // 28 March is CET (UTC+1), 29 March switches to CEST (UTC+2) at 02:00.
    expect(iso(nextRunAfter(backup, at("2026-03-27T12:00:00Z")))).toBe("2026-03-28T03:00:00.000Z");
    expect(iso(nextRunAfter(backup, at("2026-03-28T03:00:00Z")))).toBe("2026-03-29T02:00:00.000Z");
    expect(iso(nextRunAfter(backup, at("2026-03-29T02:00:00Z")))).toBe("2026-03-30T02:00:00.000Z");
  });

  it("runs a job set inside the skipped hour at the first instant after the gap (03:00 CEST)", () => {
    const job = berlin("30 2 * * *");
    expect(iso(nextRunAfter(job, at("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(nextRunAfter(job, at("2026-03-29T01:00:00Z")))).toBe("2026-03-30T00:30:00.000Z");
  });

  it("runs a job set inside the repeated hour once, at its first occurrence, in the autumn", () => {
    const job = berlin("30 2 * * *");
    const first = nextRunAfter(job, at("2026-10-24T12:00:00Z"));
    expect(iso(first)).toBe("2026-10-25T00:30:00.000Z"); // 02:30 CEST
    // The second 02:30 (CET, 01:30Z) does not fire: the next run is the following night.
    expect(iso(nextRunAfter(job, first!))).toBe("2026-10-26T01:30:00.000Z");
  });

  it("keeps the 23:00 report at 23:00 local time across the autumn change", () => {
    const report = berlin("0 23 * * *");
    expect(iso(nextRunAfter(report, at("2026-10-24T12:00:00Z")))).toBe("2026-10-24T21:00:00.000Z");
    expect(iso(nextRunAfter(report, at("2026-10-24T21:00:00Z")))).toBe("2026-10-25T22:00:00.000Z");
  });

  it("finds the latest scheduled time at or before a moment", () => {
    const backup = berlin("0 4 * * *");
    expect(iso(previousRunAtOrBefore(backup, at("2026-03-29T02:00:00Z")))).toBe(
      "2026-03-29T02:00:00.000Z",
    );
    expect(iso(previousRunAtOrBefore(backup, at("2026-03-29T01:59:59Z")))).toBe(
      "2026-03-28T03:00:00.000Z",
    );
    expect(previousRunAtOrBefore({ kind: "interval", everyMs: 1000 }, 5000)).toBeUndefined();
  });

  it("reports what is wrong with a cron expression", () => {
    expect(cronProblem("0 4 * * *", "Europe/Berlin")).toBeUndefined();
    expect(cronProblem("61 4 * * *", "UTC")).toMatch(/minute/);
    expect(cronProblem("", "UTC")).toMatch(/empty/);
    expect(cronProblem("every day", "UTC")).toBeDefined();
  });

  it("describes schedules and their period", () => {
    expect(describeSchedule(berlin("0 4 * * *"))).toBe("0 4 * * * (Europe/Berlin)");
    expect(describeSchedule({ kind: "interval", everyMs: 300_000 })).toBe("every 300 s");
    expect(periodMs(berlin("0 4 * * *"), at("2026-06-01T00:00:00Z"))).toBe(86_400_000);
    // The night clocks spring forward, a daily job's period is 23 hours.
    expect(periodMs(berlin("0 4 * * *"), at("2026-03-27T12:00:00Z"))).toBe(23 * 3_600_000);
    expect(periodMs({ kind: "interval", everyMs: 5000 }, 0)).toBe(5000);
  });
});

describe("is it due, and is a catch-up needed?", () => {
  const backup = berlin("0 4 * * *");

  it("is due once the next time after the last run has come", () => {
    const last = at("2026-06-01T02:00:00Z"); // 04:00 CEST
    expect(isDue(backup, last, at("2026-06-02T01:59:59Z"))).toBe(false);
    expect(isDue(backup, last, at("2026-06-02T02:00:00Z"))).toBe(true);
    const health: JobSchedule = { kind: "interval", everyMs: 300_000 };
    expect(isDue(health, 0, 299_999)).toBe(false);
    expect(isDue(health, 0, 300_000)).toBe(true);
  });

  it("needs a catch-up when the bot was down at 04:00, and names the run it stands for", () => {
    const lastSuccess = at("2026-06-01T02:00:05Z");
    const startedAt = at("2026-06-02T08:00:00Z"); // down from before 04:00 to 10:00
    expect(iso(missedRun(backup, lastSuccess, startedAt))).toBe("2026-06-02T02:00:00.000Z");
  });

  it("needs no catch-up when the last success is after the latest scheduled time", () => {
    expect(missedRun(backup, at("2026-06-02T02:00:05Z"), at("2026-06-02T08:00:00Z")))
      .toBeUndefined();
  });

  it("catches up across the spring change too", () => {
    const lastSuccess = at("2026-03-28T03:00:02Z");
    expect(iso(missedRun(backup, lastSuccess, at("2026-03-29T05:00:00Z")))).toBe(
      "2026-03-29T02:00:00.000Z",
    );
    expect(missedRun(backup, lastSuccess, at("2026-03-29T01:59:00Z"))).toBeUndefined();
  });

  it("treats an interval job like a cron job: due once a period passed", () => {
    const health: JobSchedule = { kind: "interval", everyMs: 60_000 };
    expect(missedRun(health, 0, 59_999)).toBeUndefined();
    expect(missedRun(health, 0, 90_000)).toBe(90_000);
  });
});

describe("retries", () => {
  const policy = { baseMs: 60_000, maxMs: 5 * 60_000, maxRetries: 4 };

  it("doubles the delay and caps it", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy))).toEqual([
      60_000,
      120_000,
      240_000,
      300_000,
      300_000,
    ]);
    expect(() => backoffDelayMs(0, policy)).toThrow(RangeError);
  });

  it("retries a failure with backoff, then waits for the next scheduled run", () => {
    const schedule = berlin("0 4 * * *");
    const now = at("2026-06-02T02:00:00Z");
    let failures = 0;
    const retries: (string | undefined)[] = [];
    let t = now;
    for (let i = 0; i < 5; i++) {
      const step = planAfterRun(schedule, "failure", failures, t, policy);
      failures = step.failures;
      retries.push(`${step.kind} ${iso(step.at)}`);
      t = step.at!;
    }
    expect(retries).toEqual([
      "retry 2026-06-02T02:01:00.000Z",
      "retry 2026-06-02T02:03:00.000Z",
      "retry 2026-06-02T02:07:00.000Z",
      "retry 2026-06-02T02:12:00.000Z",
      "schedule 2026-06-03T02:00:00.000Z",
    ]);
    expect(failures).toBe(5);
    const ok = planAfterRun(schedule, "success", failures, t, policy);
    expect(ok).toEqual({ at: at("2026-06-04T02:00:00Z"), kind: "schedule", failures: 0 });
  });

  it("never retries past the next scheduled run", () => {
    const everyMinute: JobSchedule = { kind: "interval", everyMs: 60_000 };
    const step = planAfterRun(everyMinute, "failure", 0, 0, DEFAULT_BACKOFF);
    expect(step).toEqual({ at: 60_000, kind: "schedule", failures: 1 });
  });
});

describe("local days", () => {
  it("names the local day and finds when it began", () => {
    const late = at("2026-10-24T22:30:00Z"); // 00:30 CEST on the 25th
    expect(localDay(late, "Europe/Berlin")).toBe("2026-10-25");
    expect(localDay(late, "UTC")).toBe("2026-10-24");
    expect(iso(startOfLocalDay(late, "Europe/Berlin"))).toBe("2026-10-24T22:00:00.000Z");
    expect(lastLocalDays(at("2026-10-26T12:00:00Z"), 3, "Europe/Berlin")).toEqual([
      "2026-10-24",
      "2026-10-25",
      "2026-10-26",
    ]);
  });
});
