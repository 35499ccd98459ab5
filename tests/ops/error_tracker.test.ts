import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { classifyError, createErrorTracker, describeError } from "../../src/ops/error_tracker.ts";
import { createCommandWindow, percentile } from "../../src/ops/command_window.ts";
import { createPersistedCounters } from "../../src/ops/counters.ts";
import { createCountersRepo } from "../../src/store/counters_repo.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";

let store: Store | undefined;
afterEach(() => store?.close());

describe("the error tracker", () => {
  it("counts by category and keeps the recent ones, newest first, bounded", () => {
    const time = fakeTime(1_000_000);
    const tracker = createErrorTracker({ clock: time, capacity: 3 });
    tracker.record("command", new Error("boom"), { command: "blitz play" });
    time.advance(1000);
    tracker.record("database", new TypeError("database is locked"));
    time.advance(1000);
    tracker.record("discord", "HTTP 500");
    time.advance(1000);
    tracker.record("job", new Error("disk full"), { command: "job:backup" });
    expect(tracker.totals()).toEqual({ discord: 1, database: 1, command: 1, job: 1, http: 0 });
    expect(tracker.recent(10).map((e) => e.message)).toEqual([
      "disk full",
      "HTTP 500",
      "TypeError: database is locked",
    ]);
    expect(tracker.recent(10, "job")[0]).toEqual({
      at: 1_003_000,
      category: "job",
      message: "disk full",
      command: "job:backup",
    });
    expect(tracker.since(1_002_000)).toMatchObject({ total: 2 });
  });

  it("classifies SQLite and Discord HTTP errors wherever they surface", () => {
    const sqlite = Object.assign(new Error("no such table: games"), { code: "ERR_SQLITE_ERROR" });
    expect(classifyError(sqlite, "command")).toBe("database");
    expect(classifyError(new Error("database is locked"), "job")).toBe("database");
    const rest = Object.assign(new Error("Request failed"), { cause: { status: 503 } });
    expect(classifyError(rest, "command")).toBe("discord");
    expect(classifyError(new Error("oops"), "command")).toBe("command");
  });

  it("describes errors on one line without stacks", () => {
    expect(describeError(new RangeError("bad\n  value"))).toBe("RangeError: bad value");
    expect(describeError("x".repeat(400))).toHaveLength(300);
  });

  it("persists hourly counts that survive a restart", async () => {
    store = openStore(join(await tempDir(), "blitz.db"));
    const time = fakeTime(Date.UTC(2026, 5, 1, 10, 30));
    const counters = createPersistedCounters({
      repo: createCountersRepo(store),
      clock: time,
      logger: log("test"),
    });
    const tracker = createErrorTracker({ clock: time, counters });
    tracker.record("database", new Error("x"));
    tracker.record("database", new Error("y"));
    counters.inc("commands", 5);
    time.advance(3_600_000);
    tracker.record("http", new Error("z"));
    expect(counters.sum(Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 2))).toEqual({
      "errors.database": 2,
      "errors.http": 1,
      commands: 5,
    });
    counters.flush();
    const reopened = createPersistedCounters({
      repo: createCountersRepo(store),
      clock: time,
      logger: log("test"),
    });
    expect(reopened.sum(Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 2))).toEqual({
      "errors.database": 2,
      "errors.http": 1,
      commands: 5,
    });
    expect(reopened.sum(Date.UTC(2026, 5, 1, 11), Date.UTC(2026, 5, 2))).toEqual({
      "errors.http": 1,
    });
  });
});

describe("the command window", () => {
  it("computes p50/p95/p99 and the error rate over the last 10 minutes only", () => {
    const window = createCommandWindow();
    const t0 = 1_000_000;
    window.record(t0, 5000, true); // falls out of the window
    for (let i = 1; i <= 100; i++) window.record(t0 + 60_000 + i, i, i % 10 === 0);
    const stats = window.stats(t0 + 10 * 60_000 + 1);
    expect(stats).toEqual({
      windowSeconds: 600,
      count: 100,
      errors: 10,
      errorRatePercent: 10,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
    });
    expect(window.stats(t0 + 60 * 60_000)).toMatchObject({
      count: 0,
      p95Ms: null,
      errorRatePercent: 0,
    });
  });

  it("stays exact to 5 % above 100 ms and holds a million commands in fixed memory", () => {
    const window = createCommandWindow();
    const t0 = 5_000_000;
    // 1,000,000 commands over 10 minutes: 2 % take 100 ms × 1..10 (the tail), the rest 2 ms.
    for (let i = 0; i < 1_000_000; i++) {
      const ms = i % 50 === 0 ? 100 * (1 + ((i / 50) % 10)) : 2;
      window.record(t0 + Math.floor(i * 0.59), ms, false);
    }
    const stats = window.stats(t0 + 590_000);
    expect(stats.count).toBe(1_000_000);
    expect(stats.p50Ms).toBe(2);
    expect(stats.p95Ms).toBe(2);
    // The exact nearest-rank p99 is the 10,000th of the 20,000 slow ones: 500 ms.
    expect(stats.p99Ms).toBeGreaterThanOrEqual(500);
    expect(stats.p99Ms).toBeLessThanOrEqual(525);
    // Ten minutes later the window is empty again.
    expect(window.stats(t0 + 590_000 + 10 * 60_000).count).toBe(0);
  });

  it("answers a slow command's latency within 5 %", () => {
    const window = createCommandWindow();
    for (const ms of [150, 1234, 2999.5]) {
      const w = createCommandWindow();
      w.record(0, ms, false);
      const p = w.stats(1).p99Ms!;
      expect(p).toBeGreaterThanOrEqual(ms);
      expect(p).toBeLessThanOrEqual(ms * 1.05);
    }
    window.record(0, 0.3, false);
    expect(window.stats(1).p50Ms).toBe(1);
  });

  it("uses the nearest-rank percentile", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
  });
});

describe("what trips the circuit breaker", () => {
  it("counts handler bugs and database failures, not Discord refusing or losing an answer", async () => {
    const { countsAgainstFeature } = await import("../../src/ops/error_tracker.ts");
    expect(countsAgainstFeature(new TypeError("x is undefined"))).toBe(true);
    expect(
      countsAgainstFeature(
        Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR" }),
      ),
    ).toBe(true);
    const lateAnswer = new Error("Failed to send request to discord.", {
      cause: { ok: false, status: 404, body: '{"message":"Unknown interaction","code":10062}' },
    });
    expect(countsAgainstFeature(lateAnswer)).toBe(false);
    expect(countsAgainstFeature(new Error("Failed", { cause: { status: 503 } }))).toBe(false);
  });
});
