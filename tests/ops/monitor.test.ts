import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { createMonitor, diskUsedPercent } from "../../src/ops/monitor.ts";
import { createCommandWindow } from "../../src/ops/command_window.ts";
import { createErrorTracker } from "../../src/ops/error_tracker.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { fakeTime } from "../_helpers/fake_time.ts";

async function setup() {
  const dir = await tempDir();
  const dbPath = join(dir, "blitz.db");
  await Deno.writeFile(dbPath, new Uint8Array(8192));
  await Deno.writeFile(`${dbPath}-wal`, new Uint8Array(1000));
  const time = fakeTime(Date.UTC(2026, 5, 1, 12));
  const gateway = { up: true };
  const commands = createCommandWindow();
  const errors = createErrorTracker({ clock: time });
  const monitor = createMonitor({
    clock: time,
    startedAt: time.now() - 90_000,
    dataDir: dir,
    dbPath,
    pingStore: () => true,
    gateway: {
      connected: () => gateway.up,
      heartbeatAcknowledged: () => gateway.up,
      latencyMs: () => (gateway.up ? 42 : undefined),
    },
    commands,
    errors,
    backupStatus: () => ({ newestVerified: { file: "b.db", ageSeconds: 7200 } }),
    installedAt: () => time.now() - 86_400_000,
    statfs: () => ({ blocks: 1000, bfree: 300, bavail: 200, bsize: 4096 }),
  });
  return { time, gateway, commands, errors, monitor, dir };
}

describe("the health monitor's sample", () => {
  it("reads memory, disk, database, gateway, commands, errors and backup age", async () => {
    const { time, commands, errors, monitor, dir } = await setup();
    commands.record(time.now(), 120, false);
    errors.record("database", new Error("locked"));
    const sample = monitor.sample();
    expect(sample.uptimeSeconds).toBe(90);
    expect(sample.memory.rssBytes).toBeGreaterThan(0);
    expect(sample.disk).toEqual({
      path: dir,
      totalBytes: 1000 * 4096,
      freeBytes: 200 * 4096,
      usedPercent: 77.8, // 700 used of 900 usable, as df says
    });
    expect(sample.database).toMatchObject({ sizeBytes: 8192, walBytes: 1000, answers: true });
    expect(sample.gateway).toEqual({
      connected: true,
      heartbeatAcknowledged: true,
      latencyMs: 42,
      downSeconds: 0,
    });
    expect(sample.commands.count).toBe(1);
    expect(sample.errors.last10m).toBe(1);
    expect(sample.errors.byCategory10m.database).toBe(1);
    expect(sample.backup).toEqual({
      lastVerifiedAgeSeconds: 7200,
      newestFile: "b.db",
      inProgress: null,
      installedAgeSeconds: 86_400,
    });
    expect(monitor.last()).toBe(sample);
  });

  it("counts how long the gateway has been down", async () => {
    const { time, gateway, monitor } = await setup();
    gateway.up = false;
    monitor.sample();
    time.advance(75_000);
    expect(monitor.sample().gateway).toMatchObject({ connected: false, downSeconds: 75 });
    gateway.up = true;
    expect(monitor.sample().gateway.downSeconds).toBe(0);
  });

  it("computes the used share of a volume as df does", () => {
    expect(diskUsedPercent({ blocks: 100, bfree: 20, bavail: 20 })).toBe(80);
    expect(diskUsedPercent({ blocks: 100, bfree: 30, bavail: 20 })).toBeCloseTo(77.78, 1);
  });

  it("samples the real data volume when no statfs is injected", async () => {
    const dir = await tempDir();
    const time = fakeTime();
    const monitor = createMonitor({
      clock: time,
      startedAt: time.now(),
      dataDir: dir,
      dbPath: join(dir, "blitz.db"),
      pingStore: () => false,
      gateway: {
        connected: () => false,
        heartbeatAcknowledged: () => false,
        latencyMs: () => undefined,
      },
      commands: createCommandWindow(),
      errors: createErrorTracker({ clock: time }),
      backupStatus: () => undefined,
      installedAt: () => undefined,
    });
    const sample = monitor.sample();
    expect(sample.disk!.totalBytes).toBeGreaterThan(0);
    expect(sample.disk!.usedPercent).toBeGreaterThanOrEqual(0);
    expect(sample.database).toMatchObject({ sizeBytes: 0, walBytes: 0, answers: false });
    expect(sample.backup.lastVerifiedAgeSeconds).toBeNull();
  });
});
