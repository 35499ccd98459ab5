import { describe, expect, it } from "vitest";
import { toBackups, toGames, toJobs, toLogs, toSnapshot } from "../../tui/adapter.ts";
import { startOfDay } from "../../src/server/api_games.ts";

describe("dashboard adapter", () => {
  it("reads /api/status into the panels' model", () => {
    const snapshot = toSnapshot({
      version: "1.2.3",
      uptimeSeconds: 90,
      status: "ok",
      sandbox: true,
      safeMode: false,
      maintenance: { enabled: true, message: "back at 10" },
      sample: {
        memory: { rssBytes: 5e7, heapUsedBytes: 2e7 },
        cpu: { percent: 3 },
        eventLoop: { meanDelayMs: 1.2 },
        disk: { freeBytes: 9e9, usedPercent: 55 },
        database: { sizeBytes: 4096, walBytes: 0 },
        gateway: { latencyMs: 40 },
        commands: {
          windowSeconds: 600,
          count: 1200,
          p50Ms: 2,
          p95Ms: 5,
          p99Ms: 9,
          errorRatePercent: 0.5,
        },
      },
      errors: {
        totals: { discord: 2, database: 1 },
        recent: [{ at: 0, category: "discord", message: "boom" }],
      },
      alerts: {
        active: [{
          rule: "memory",
          title: "Memory",
          severity: "warning",
          value: "120 MB",
          since: 0,
        }],
      },
      games: { active: 4 },
    });
    expect(snapshot.status).toMatchObject({
      state: "online",
      version: "1.2.3",
      maintenance: "back at 10",
      sandbox: true,
    });
    expect(snapshot.resources).toMatchObject({ rssBytes: 5e7, cpuPercent: 3, diskUsedPercent: 55 });
    expect(snapshot.traffic).toMatchObject({ commandsPerMinute: 120, p99Ms: 9 });
    expect(snapshot.errors).toMatchObject({
      total: 3,
      recent: [{ at: "1970-01-01T00:00:00.000Z", message: "boom" }],
    });
    expect(snapshot.alerts).toEqual([{
      rule: "memory",
      severity: "warning",
      message: "Memory: 120 MB",
      since: "1970-01-01T00:00:00.000Z",
    }]);
  });

  it("never throws on missing or odd fields", () => {
    const snapshot = toSnapshot({ status: "unavailable", uptimeSeconds: 600 });
    expect(snapshot.status?.state).toBe("offline");
    expect(toSnapshot(null).status?.state).toBe("starting");
    expect(toBackups({ backups: "nope" })).toEqual([]);
    expect(toJobs(undefined)).toEqual([]);
    expect(toLogs({ lines: [{}] })).toEqual([{ at: "", level: "info", category: "", message: "" }]);
    expect(toGames({ topPlayers: [{ name: 5 }] }).topPlayers[0]).toEqual({
      name: "?",
      rating: 0,
      wins: 0,
      losses: 0,
    });
  });

  it("lists backups newest first and jobs with their next run and last outcome", () => {
    const backups = toBackups({
      backups: [
        {
          file: "old.db",
          createdAt: "2026-01-01T00:00:00Z",
          sizeBytes: 1,
          kind: "scheduled",
          state: "verified",
        },
        {
          file: "new.db",
          createdAt: "2026-02-01T00:00:00Z",
          sizeBytes: 2,
          kind: "manual",
          state: "damaged",
        },
      ],
    });
    expect(backups.map((b) => b.file)).toEqual(["new.db", "old.db"]);
    const [job] = toJobs({
      jobs: [{
        name: "backup",
        nextRunAt: 0,
        lastRun: { outcome: "success", started_at: 10, finished_at: 35 },
      }],
    });
    expect(job).toMatchObject({
      name: "backup",
      nextRun: "1970-01-01T00:00:00.000Z",
      lastOutcome: "success",
      lastDurationMs: 25,
    });
  });

  it("computes local midnight in the configured time zone", () => {
    const now = Date.parse("2026-11-22T05:30:00Z");
    expect(new Date(startOfDay(now, "UTC")).toISOString()).toBe("2026-11-22T00:00:00.000Z");
    expect(new Date(startOfDay(now, "America/New_York")).toISOString()).toBe(
      "2026-11-22T05:00:00.000Z",
    );
    expect(new Date(startOfDay(now, "Asia/Tokyo")).toISOString()).toBe("2026-11-21T15:00:00.000Z");
  });
});
