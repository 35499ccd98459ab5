/** An in-memory DashboardApi that records the calls the dashboard makes. */
import type { DashboardApi, Snapshot } from "../../tui/api.ts";
import { UnauthorizedError, UnreachableError } from "../../tui/api.ts";
import type { BackupEntry, FeatureEntry } from "../../tui/model.ts";

export interface FakeApi extends DashboardApi {
  calls: string[];
  mode: "ok" | "down" | "unauthorized";
  backupList: BackupEntry[];
  featureList: FeatureEntry[];
  snap: Snapshot;
}

export function sampleSnapshot(): Snapshot {
  return {
    status: {
      state: "online",
      uptimeSeconds: 3725,
      version: "0.1.0",
      gatewayLatencyMs: 42,
      guilds: 3,
      safeMode: false,
    },
    resources: {
      rssBytes: 61_000_000,
      heapUsedBytes: 22_000_000,
      cpuPercent: 1.5,
      eventLoopDelayMs: 0.8,
      diskFreeBytes: 50e9,
      diskUsedPercent: 40,
      dbBytes: 1_200_000,
      walBytes: 32_000,
      history: { rss: [], heap: [] },
    },
    traffic: {
      commandsPerMinute: 120,
      p50Ms: 2.1,
      p95Ms: 6.4,
      p99Ms: 9.8,
      rateLimited: 3,
      errorRatePercent: 0.05,
    },
    games: {
      active: 7,
      completedToday: 31,
      topPlayers: [{ name: "Alice", rating: 1048, wins: 5, losses: 1 }],
    },
    errors: {
      total: 2,
      byCategory: { discord: 1, command: 1 },
      recent: [{
        at: "2026-11-22T10:00:00Z",
        category: "discord",
        message: "HTTP 503 from Discord",
      }],
    },
    alerts: [{ rule: "memory", severity: "warning", message: "RSS 120 MB is above 100 MB" }],
  };
}

export function fakeApi(): FakeApi {
  const api: FakeApi = {
    url: "http://127.0.0.1:8000",
    calls: [],
    mode: "ok",
    snap: sampleSnapshot(),
    backupList: [
      {
        file: "blitz-20261122T040000Z-scheduled.db",
        createdAt: "2026-11-22T04:00:00Z",
        sizeBytes: 1_500_000,
        kind: "scheduled",
        state: "verified",
      },
      {
        file: "blitz-20261121T040000Z-scheduled.db",
        createdAt: "2026-11-21T04:00:00Z",
        sizeBytes: 1_400_000,
        kind: "scheduled",
        state: "damaged",
      },
    ],
    featureList: [{ name: "challenges", enabled: true }, { name: "solo", enabled: true }],
    snapshot: () => {
      api.calls.push("snapshot");
      if (api.mode === "down") return Promise.reject(new UnreachableError("connection refused"));
      if (api.mode === "unauthorized") return Promise.reject(new UnauthorizedError("wrong token"));
      return Promise.resolve(structuredClone(api.snap));
    },
    backups: () => Promise.resolve(api.backupList),
    jobs: () =>
      Promise.resolve([{
        name: "backup",
        nextRun: "2026-11-23T04:00:00Z",
        lastOutcome: "success",
        lastDurationMs: 120,
      }]),
    features: () => Promise.resolve(api.featureList),
    logs: () =>
      Promise.resolve([{
        at: "2026-11-22T10:00:00Z",
        level: "info",
        category: "bot",
        message: "Bot is ready!",
      }, {
        at: "2026-11-22T10:00:01Z",
        level: "warning",
        category: "http",
        message: "slow request",
      }]),
    backupNow: () => {
      api.calls.push("backupNow");
      const entry: BackupEntry = {
        file: "blitz-new-manual.db",
        createdAt: new Date().toISOString(),
        sizeBytes: 1_600_000,
        kind: "manual",
        state: "verified",
      };
      api.backupList = [entry, ...api.backupList];
      return Promise.resolve(entry);
    },
    restore: (file) => {
      api.calls.push(`restore:${file}`);
      return Promise.resolve(`Restored ${file}`);
    },
    setFeature: (name, enabled) => {
      api.calls.push(`feature:${name}:${enabled}`);
      api.featureList = api.featureList.map((f) => (f.name === name ? { ...f, enabled } : f));
      return Promise.resolve({ name, enabled });
    },
    setMaintenance: (on) => {
      api.calls.push(`maintenance:${on}`);
      return Promise.resolve(`Maintenance mode ${on ? "on" : "off"}`);
    },
    vacuum: () => {
      api.calls.push("vacuum");
      return Promise.resolve("VACUUM reclaimed 12 KB");
    },
  };
  return api;
}
