import { describe, expect, it } from "vitest";
import { createHttpApp } from "../../src/server/app.ts";
import {
  createHealthMonitor,
  type GatewayStatus,
  writeFailureReason,
} from "../../src/ops/health.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { log } from "../../src/log.ts";

function setup(state: { store: boolean; connected: boolean; acked: boolean }) {
  const clock = { now: () => 1_000_000 };
  const gateway: GatewayStatus = {
    connected: () => state.connected,
    heartbeatAcknowledged: () => state.acked,
    latencyMs: () => (state.connected ? 42 : undefined),
  };
  const health = createHealthMonitor({
    clock,
    startedAt: 1_000_000 - 65_000,
    pingStore: () => state.store,
    gateway,
  });
  const metrics = createMetrics({ uptimeSeconds: () => 65 });
  const app = createHttpApp({ health, metrics, version: "9.9.9", logger: log("test") });
  return { app, health, metrics };
}

describe("GET /health", () => {
  it('answers 200 with a body that begins {"status":"ok" and says discord online when all is well', async () => {
    const { app, health } = setup({ store: true, connected: true, acked: true });
    const response = await app.request("/health");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{"status":"ok"')).toBe(true);
    const body = JSON.parse(text);
    expect(body.discord).toBe("online");
    expect(body.uptime_seconds).toBe(65);
    expect(body.checks).toEqual({ database: "pass", gateway: "pass", heartbeat: "pass" });
    health.stop();
  });

  for (
    const [what, state, failing] of [
      ["the gateway is down", { store: true, connected: false, acked: false }, "gateway"],
      [
        "heartbeats are not acknowledged",
        { store: true, connected: true, acked: false },
        "heartbeat",
      ],
      ["the database does not answer", { store: false, connected: true, acked: true }, "database"],
    ] as const
  ) {
    it(`answers 503 without "ok" or "online" anywhere when ${what}`, async () => {
      const { app, health } = setup({ ...state });
      const response = await app.request("/health");
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).not.toMatch(/ok/i);
      expect(text).not.toMatch(/online/i);
      const body = JSON.parse(text);
      expect(body.status).toBe("unavailable");
      expect(body.checks[failing]).toBe("fail");
      health.stop();
    });
  }

  it("answers 503 while the store cannot write, and 200 once a probe write works and 10 s passed", async () => {
    let now = 1_000_000;
    let diskFull = true;
    let probes = 0;
    const health = createHealthMonitor({
      clock: { now: () => now },
      startedAt: now - 65_000,
      pingStore: () => true, // reads still work on a full disk
      probeWrite: () => {
        probes++;
        if (diskFull) throw new Error("database or disk is full");
      },
      gateway: { connected: () => true, heartbeatAcknowledged: () => true, latencyMs: () => 1 },
    });
    const metrics = createMetrics({ uptimeSeconds: () => 65 });
    const app = createHttpApp({ health, metrics, version: "9.9.9", logger: log("test") });
    try {
      health.sample();
      expect(probes).toBe(0); // no write for its health while writes work
      expect((await app.request("/health")).status).toBe(200);

      health.noteWriteFailure("disk full");
      let response = await app.request("/health");
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).not.toMatch(/ok|online/i);
      const body = JSON.parse(text);
      expect(body.checks.database).toBe("fail");
      expect(body.failing).toEqual(["database cannot write (disk full)"]);

      now += 30_000;
      health.sample(); // the probe fails: still down, and the 10 s start again
      expect(probes).toBe(1);
      expect((await app.request("/health")).status).toBe(503);

      diskFull = false; // space is back
      now += 5_000;
      health.sample();
      expect((await app.request("/health")).status).toBe(503); // 5 s without a failure
      now += 5_000;
      health.sample();
      response = await app.request("/health");
      expect(response.status).toBe(200);
      expect((await response.json()).checks.database).toBe("pass");
      const probesWhenWell = probes;
      health.sample();
      expect(probes).toBe(probesWhenWell); // and no more probes
    } finally {
      health.stop();
    }
  });

  it("tells write failures from other store errors", () => {
    expect(writeFailureReason("database or disk is full")).toBe("disk full");
    expect(writeFailureReason("Error: disk I/O error")).toBe("disk I/O error");
    expect(writeFailureReason("attempt to write a readonly database")).toBe("read-only database");
    expect(writeFailureReason("UNIQUE constraint failed: games.id")).toBeUndefined();
    expect(writeFailureReason("database is locked")).toBeUndefined();
  });

  it("answers HEAD with the same status and no body", async () => {
    const { app, health } = setup({ store: true, connected: false, acked: false });
    const response = await app.request("/health", { method: "HEAD" });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe("");
    health.stop();
  });

  it("answers /health/live with 200 even when Discord is down", async () => {
    const { app, health } = setup({ store: false, connected: false, acked: false });
    const response = await app.request("/health/live");
    expect(response.status).toBe(200);
    health.stop();
  });
});

describe("GET /metrics", () => {
  it("serves the Prometheus text format with Blitz's metrics and process metrics", async () => {
    const { app, metrics, health } = setup({ store: true, connected: true, acked: true });
    metrics.commandsTotal.inc({ command: "ping", outcome: "ok" });
    metrics.commandDuration.observe({ command: "ping" }, 0.004);
    const response = await app.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('blitz_commands_total{command="ping",outcome="ok"} 1');
    expect(text).toContain('blitz_command_duration_seconds_bucket{le="0.005",command="ping"} 1');
    expect(text).toContain("blitz_uptime_seconds 65");
    expect(text).toContain("# TYPE blitz_gateway_connected gauge");
    expect(text).toContain("process_resident_memory_bytes");
    health.stop();
  });

  it("answers unknown paths with a JSON 404", async () => {
    const { app, health } = setup({ store: true, connected: true, acked: true });
    const response = await app.request("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found" });
    health.stop();
  });
});
