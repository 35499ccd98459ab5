import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createHttpApp } from "../../src/server/app.ts";
import { createBackupApiGroup } from "../../src/server/api_backups.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { createHealthMonitor } from "../../src/ops/health.ts";
import { createBackupService, createJobRunner, type JobRunner } from "../../src/ops/backup/mod.ts";
import type { SnapshotJob } from "../../src/ops/backup/jobs.ts";
import { LATEST_SCHEMA_VERSION, openStore, type Store } from "../../src/store/mod.ts";
import { log } from "../../src/log.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { fakeClock, seedPlayers } from "./backup_helpers.ts";

const TOKEN = "test-admin-token-0123456789";
const T0 = Date.UTC(2026, 10, 22, 4, 15, 0);
const stores: Store[] = [];
afterEach(() => {
  while (stores.length > 0) stores.pop()!.close();
});

async function setup(runner?: JobRunner) {
  const dataDir = await tempDir();
  const store = openStore(join(dataDir, "blitz.db"));
  stores.push(store);
  seedPlayers(store, 0, 8);
  store.setSetting("marker", "original");
  const clock = fakeClock(T0);
  const metrics = createMetrics({ uptimeSeconds: () => 1, processMetrics: false });
  const health = createHealthMonitor({
    clock,
    startedAt: T0,
    pingStore: () => store.ping(),
    gateway: { connected: () => true, heartbeatAcknowledged: () => true, latencyMs: () => 5 },
  });
  const swaps: string[] = [];
  const service = createBackupService(
    { dataDir, store, clock, registry: metrics.registry, runner },
    {
      beforeSwap: () => void swaps.push("pause"),
      afterSwap: () => void swaps.push("resume"),
    },
  );
  const app = createHttpApp({
    health,
    metrics,
    version: "test",
    logger: log("test"),
    adminToken: () => TOKEN,
    apiGroups: [createBackupApiGroup(service)],
  });
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const response = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined
        ? { body: typeof body === "string" ? body : JSON.stringify(body) }
        : {}),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
  return { dataDir, store, clock, health, app, call, swaps, service };
}

describe("admin API: backups", () => {
  it("needs the admin token", async () => {
    const { call } = await setup();
    expect((await call("GET", "/api/backups", undefined, "wrong")).status).toBe(401);
    expect((await call("POST", "/api/backups", {}, "wrong")).status).toBe(401);
  });

  it("POST /api/backups answers 201 with the manifest entry; GET /api/backups lists it", async () => {
    const { call } = await setup();
    const created = await call("POST", "/api/backups", {
      label: "before tournament",
      compress: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      file: "blitz-20261122T041500Z-manual-before-tournament.db.gz",
      kind: "manual",
      label: "before tournament",
      compressed: true,
      schemaVersion: LATEST_SCHEMA_VERSION,
      rowCounts: { players: 8 },
      verified: { ok: true },
    });
    expect(created.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await call("GET", "/api/backups");
    expect(listed.status).toBe(200);
    expect(listed.body.lastVerifiedAgeSeconds).toBe(0);
    expect(listed.body.backups.map((b: { file: string; state: string }) => [b.file, b.state]))
      .toEqual([
        [created.body.file, "verified"],
      ]);
  });

  it("answers a second concurrent backup with 409", async () => {
    const inline = createJobRunner({ inline: true });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow = (async (job: SnapshotJob) => {
      if (job.op === "snapshot") {
        started();
        await gate;
      }
      return await inline(job);
    }) as unknown as JobRunner;
    const { call } = await setup(slow);
    const first = call("POST", "/api/backups", {});
    await running;
    const second = await call("POST", "/api/backups", {});
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: "backup_in_progress" });
    expect(second.body.message).toMatch(/already running/);
    release();
    expect((await first).status).toBe(201);
  });

  it("rejects bad bodies with 400 and what is wrong", async () => {
    const { call } = await setup();
    expect((await call("POST", "/api/backups", { compress: "yes" })).body.message).toMatch(
      /"compress" must be/,
    );
    expect((await call("POST", "/api/backups", { kind: "pre-restore" })).status).toBe(400);
    expect((await call("POST", "/api/backups", "{nope")).status).toBe(400);
  });
});

describe("admin API: restore", () => {
  it("POST /api/restore pauses, swaps, reopens: the data equals the backup and /health stays ok", async () => {
    const { call, store, swaps, clock, health } = await setup();
    const created = await call("POST", "/api/backups", {});
    seedPlayers(store, 100, 3);
    store.setSetting("marker", "changed");
    clock.advance(5000);

    const refused = await call("POST", "/api/restore", { file: created.body.file });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("confirmation_required");
    expect(store.getSetting("marker")).toBe("changed");

    const restored = await call("POST", "/api/restore", { file: created.body.file, confirm: true });
    expect(restored.status).toBe(200);
    expect(swaps).toEqual(["pause", "resume"]);
    expect(store.getSetting("marker")).toBe("original");
    expect((store.prepare("SELECT count(*) AS n FROM players").get() as { n: number }).n).toBe(8);
    expect(restored.body.preRestore.rowCounts.players).toBe(11);
    health.sample();
    expect(health.report().status).toBe("ok");
    health.stop();

    const listed = await call("GET", "/api/backups");
    expect(listed.body.backups.map((b: { kind: string }) => b.kind).sort()).toEqual([
      "manual",
      "pre-restore",
    ]);
  });

  it("refuses paths outside the backups directory, unknown files and damaged backups, changing nothing", async () => {
    const { call, store, swaps, dataDir } = await setup();
    expect((await call("POST", "/api/restore", { file: "../blitz.db", confirm: true })).status)
      .toBe(400);
    expect((await call("POST", "/api/restore", { file: "/etc/passwd", confirm: true })).status)
      .toBe(400);
    expect((await call("POST", "/api/restore", { file: "blitz-nope.db", confirm: true })).status)
      .toBe(404);
    const created = await call("POST", "/api/backups", {});
    const path = join(dataDir, "backups", created.body.file);
    const bytes = await Deno.readFile(path);
    bytes[300] = bytes[300]! ^ 0xff;
    await Deno.writeFile(path, bytes);
    const damaged = await call("POST", "/api/restore", { file: created.body.file, confirm: true });
    expect(damaged.status).toBe(422);
    expect(damaged.body.error).toBe("invalid_backup");
    expect(damaged.body.message).toMatch(/the file changed after the backup was made/);
    expect(swaps).toEqual([]);
    expect(store.getSetting("marker")).toBe("original");
  });

  it("verifies on request", async () => {
    const { call } = await setup();
    const created = await call("POST", "/api/backups", {});
    const verified = await call("POST", "/api/backups/verify", { file: created.body.file });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      ok: true,
      reports: [{ file: created.body.file, ok: true }],
    });
    expect((await call("POST", "/api/backups/verify", {})).status).toBe(400);
  });

  it("/metrics carries the backup metrics", async () => {
    const { call, app } = await setup();
    await call("POST", "/api/backups", {});
    const text = await (await app.request("/metrics")).text();
    for (
      const name of [
        "blitz_backup_last_success_timestamp_seconds",
        "blitz_backup_duration_seconds",
        "blitz_backup_size_bytes",
        "blitz_backups_total",
        "blitz_backup_last_verified_age_seconds",
      ]
    ) expect(text).toContain(`# TYPE ${name}`);
    expect(text).toMatch(/^blitz_backups_total\{outcome="success"\} 1$/m);
  });
});
