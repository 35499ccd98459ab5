/** Shared fixtures of the operations tests. */
import type { HealthSample } from "../../src/ops/monitor.ts";

const MB = 1024 * 1024;

/** A healthy sample; tests change what they need. */
export function healthySample(): HealthSample {
  return {
    at: 0,
    uptimeSeconds: 3600,
    memory: {
      rssBytes: 60 * MB,
      heapUsedBytes: 20 * MB,
      heapTotalBytes: 30 * MB,
      externalBytes: 0,
    },
    cpu: { percent: 3 },
    eventLoop: { meanDelayMs: 1, maxDelayMs: 4 },
    disk: { path: "/data", totalBytes: 100e9, freeBytes: 60e9, usedPercent: 40 },
    database: { path: "/data/blitz.db", sizeBytes: 2 * MB, walBytes: 1 * MB, answers: true },
    gateway: { connected: true, heartbeatAcknowledged: true, latencyMs: 40, downSeconds: 0 },
    commands: {
      windowSeconds: 600,
      count: 100,
      errors: 0,
      errorRatePercent: 0,
      p50Ms: 20,
      p95Ms: 80,
      p99Ms: 150,
    },
    errors: {
      last10m: 0,
      byCategory10m: { discord: 0, database: 0, command: 0, job: 0, http: 0 },
    },
    backup: {
      lastVerifiedAgeSeconds: 3600,
      newestFile: "b.db",
      inProgress: null,
      installedAgeSeconds: 86400,
    },
  };
}
