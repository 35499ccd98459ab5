/**
 * The health monitor's sampler: memory, CPU, event-loop delay, disk space of the data volume,
 * database and WAL size, gateway state and latency, command latency and error rate over 10
 * minutes, errors by category, and the last backup's age. `sample()` is cheap (a few stat
 * calls); the health job calls it on its interval and the admin API on each request.
 */
import { statfsSync } from "node:fs";
import process from "node:process";
import type { Clock } from "../clock.ts";
import type { GatewayStatus } from "./health.ts";
import type { CommandWindow, CommandWindowStats } from "./command_window.ts";
import type { ErrorCategory, ErrorTracker } from "./error_tracker.ts";

/** Everything the monitor knows at one instant. Sizes in bytes, times in ms epoch. */
export interface HealthSample {
  at: number;
  uptimeSeconds: number;
  memory: {
    rssBytes: number;
    heapUsedBytes: number;
    heapTotalBytes: number;
    externalBytes: number;
  };
  /** Process CPU time over wall time since the previous sample, in % of one core. */
  cpu: { percent: number };
  /** How late a 500 ms timer fired over the last 30 s: mean and max, ms. */
  eventLoop: { meanDelayMs: number; maxDelayMs: number };
  /** The data volume; null where it cannot be read. */
  disk: { path: string; totalBytes: number; freeBytes: number; usedPercent: number } | null;
  database: { path: string; sizeBytes: number; walBytes: number; answers: boolean };
  gateway: {
    connected: boolean;
    heartbeatAcknowledged: boolean;
    latencyMs: number | null;
    /** Seconds since the gateway was last seen connected (0 while connected). */
    downSeconds: number;
  };
  commands: CommandWindowStats;
  errors: { last10m: number; byCategory10m: Record<ErrorCategory, number> };
  backup: {
    /** Seconds since the newest verified backup was made; null when there is none. */
    lastVerifiedAgeSeconds: number | null;
    newestFile: string | null;
    inProgress: string | null;
    /** Seconds since Blitz was set up (the baseline when there is no backup yet). */
    installedAgeSeconds: number | null;
  };
}

/** What the sampler reads. */
export interface MonitorDeps {
  clock: Clock;
  startedAt: number;
  /** The data directory (its volume is the disk sampled). */
  dataDir: string;
  dbPath: string;
  pingStore: () => boolean;
  gateway: GatewayStatus;
  commands: CommandWindow;
  errors: ErrorTracker;
  backupStatus: () => {
    newestVerified?: { file: string; ageSeconds: number };
    inProgress?: string;
  } | undefined;
  /** When Blitz was set up (ms epoch), if known. */
  installedAt: () => number | undefined;
  /** Overridable for tests: the data volume's figures. */
  statfs?: (path: string) => { blocks: number; bfree: number; bavail: number; bsize: number };
}

/** The sampler. */
export interface Monitor {
  sample(): HealthSample;
  /** The last sample taken, if any. */
  last(): HealthSample | undefined;
  /** Starts the event-loop and gateway watch (a 500 ms timer, unref'd). */
  start(): void;
  stop(): void;
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** Used share of a volume as `df` shows it: used / (used + available to users). */
export function diskUsedPercent(fs: { blocks: number; bfree: number; bavail: number }): number {
  const used = fs.blocks - fs.bfree;
  const usable = used + fs.bavail;
  return usable <= 0 ? 0 : (used / usable) * 100;
}

/** Creates the sampler. */
export function createMonitor(deps: MonitorDeps): Monitor {
  const { clock } = deps;
  const statfs = deps.statfs ?? ((path: string) => statfsSync(path));
  let last: HealthSample | undefined;
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance.now();
  let loopDelays: number[] = [];
  let downSince: number | undefined = deps.gateway.connected() ? undefined : clock.now();
  let timer: number | undefined;
  let expectedAt = 0;

  const watchGateway = () => {
    if (deps.gateway.connected()) downSince = undefined;
    else downSince ??= clock.now();
  };

  const sampleDisk = (): HealthSample["disk"] => {
    try {
      const fs = statfs(deps.dataDir);
      return {
        path: deps.dataDir,
        totalBytes: fs.blocks * fs.bsize,
        freeBytes: fs.bavail * fs.bsize,
        usedPercent: Math.round(diskUsedPercent(fs) * 10) / 10,
      };
    } catch {
      return null;
    }
  };

  return {
    sample() {
      const now = clock.now();
      watchGateway();
      const memory = Deno.memoryUsage();
      const cpu = process.cpuUsage(lastCpu);
      const wallMs = Math.max(1, performance.now() - lastCpuAt);
      lastCpu = process.cpuUsage();
      lastCpuAt = performance.now();
      const delays = loopDelays;
      let answers = false;
      try {
        answers = deps.pingStore();
      } catch {
        answers = false;
      }
      const errors = deps.errors.since(now - 10 * 60_000);
      let backup: ReturnType<MonitorDeps["backupStatus"]>;
      try {
        backup = deps.backupStatus();
      } catch {
        backup = undefined;
      }
      let installedAt: number | undefined;
      try {
        installedAt = deps.installedAt();
      } catch {
        installedAt = undefined;
      }
      const connected = deps.gateway.connected();
      const sample: HealthSample = {
        at: now,
        uptimeSeconds: Math.floor((now - deps.startedAt) / 1000),
        memory: {
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          heapTotalBytes: memory.heapTotal,
          externalBytes: memory.external,
        },
        cpu: { percent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10 },
        eventLoop: {
          meanDelayMs: delays.length
            ? Math.round((delays.reduce((a, b) => a + b, 0) / delays.length) * 10) / 10
            : 0,
          maxDelayMs: delays.length ? Math.round(Math.max(...delays) * 10) / 10 : 0,
        },
        disk: sampleDisk(),
        database: {
          path: deps.dbPath,
          sizeBytes: fileSize(deps.dbPath),
          walBytes: fileSize(`${deps.dbPath}-wal`),
          answers,
        },
        gateway: {
          connected,
          heartbeatAcknowledged: connected && deps.gateway.heartbeatAcknowledged(),
          latencyMs: deps.gateway.latencyMs() ?? null,
          downSeconds: downSince === undefined ? 0 : Math.floor((now - downSince) / 1000),
        },
        commands: deps.commands.stats(now),
        errors: { last10m: errors.total, byCategory10m: errors.byCategory },
        backup: {
          lastVerifiedAgeSeconds: backup?.newestVerified?.ageSeconds ?? null,
          newestFile: backup?.newestVerified?.file ?? null,
          inProgress: backup?.inProgress ?? null,
          installedAgeSeconds: installedAt === undefined
            ? null
            : Math.max(0, Math.floor((now - installedAt) / 1000)),
        },
      };
      last = sample;
      return sample;
    },
    last: () => last,
    start() {
      if (timer !== undefined) return;
      expectedAt = performance.now() + 500;
      const id = setInterval(() => {
        const now = performance.now();
        loopDelays.push(Math.max(0, now - expectedAt));
        if (loopDelays.length > 60) loopDelays = loopDelays.slice(-60);
        expectedAt = now + 500;
        watchGateway();
      }, 500) as unknown as number;
      Deno.unrefTimer(id);
      timer = id;
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
