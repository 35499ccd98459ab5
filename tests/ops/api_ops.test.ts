import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadConfig } from "../../src/config/mod.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { createHealthMonitor, type HealthMonitor } from "../../src/ops/health.ts";
import { createBackupService } from "../../src/ops/backup/mod.ts";
import { createOpsRuntime, type OpsRuntime } from "../../src/ops/runtime.ts";
import { createHttpApp } from "../../src/server/app.ts";
import { createStatusApiGroup } from "../../src/server/api_status.ts";
import { createControlsApiGroup } from "../../src/server/api_controls.ts";
import { log } from "../../src/log.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const TOKEN = "t".repeat(43);
const parts: { store?: Store; health?: HealthMonitor; ops?: OpsRuntime } = {};
afterEach(async () => {
  await parts.ops?.stop();
  parts.health?.stop();
  parts.store?.close();
});

async function setup(env: Record<string, string> = {}) {
  const dataDir = await tempDir();
  const config = loadConfig({
    env: { BLITZ_DATA_DIR: dataDir, ADMIN_CHANNEL_ID: "123456789012345678", ...env },
    dotenvPath: null,
  });
  const store = openStore(join(dataDir, "blitz.db"));
  const metrics = createMetrics({ uptimeSeconds: () => 5 });
  const gateway = { connected: () => true, heartbeatAcknowledged: () => true, latencyMs: () => 30 };
  const health = createHealthMonitor({
    clock: { now: () => Date.now() },
    startedAt: Date.now(),
    pingStore: () => store.ping(),
    gateway,
  });
  const backups = createBackupService({ dataDir, store, registry: metrics.registry });
  const posted: { channelId: string; body: { content?: string; embeds?: unknown[] } }[] = [];
  const ops = createOpsRuntime({
    config,
    store,
    clock: { now: () => Date.now() },
    startedAt: Date.now(),
    version: "9.9.9",
    metrics,
    gateway,
    readiness: health,
    backups,
    post: (channelId, body) => {
      posted.push({ channelId, body });
      return Promise.resolve();
    },
    activeGames: () => 0,
    inFlight: () => 0,
  });
  Object.assign(parts, { store, health, ops });
  const app = createHttpApp({
    health,
    metrics,
    version: "9.9.9",
    logger: log("test"),
    adminToken: () => TOKEN,
    apiGroups: [
      createStatusApiGroup({
        status: () => ops.status(),
        errors: ops.errors,
        jobs: () => ops.scheduler.jobs(),
        recentRuns: (o) => ops.jobRuns.recentRuns(o),
        actions: ops.actions,
        events: ops.events,
        logFile: ops.logFile,
        now: () => Date.now(),
        onHttpError: (error, route) => ops.errors.record("http", error, { command: route }),
      }),
      createControlsApiGroup(ops),
    ],
  });
  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
    app.request(path, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return { dataDir, config, store, ops, app, call, posted, metrics };
}

describe("the admin API guards its door", () => {
  for (
    const [method, path] of [
      ["GET", "/api/status"],
      ["GET", "/api/errors"],
      ["GET", "/api/jobs"],
      ["GET", "/api/features"],
      ["POST", "/api/features"],
      ["POST", "/api/maintenance"],
      ["POST", "/api/vacuum"],
      ["GET", "/api/audit"],
      ["GET", "/api/logs"],
      ["GET", "/api/stream"],
    ] as const
  ) {
    it(`refuses ${method} ${path} without a token or with a wrong one`, async () => {
      const { call } = await setup();
      const missing = await call(method, path, undefined, null);
      expect(missing.status).toBe(401);
      expect((await missing.json()).error).toBe("unauthorized");
      const wrong = await call(method, path, undefined, "x".repeat(43));
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).message).toMatch(/Wrong token/);
    });
  }

  it("refuses bodies over 64 KB", async () => {
    const { call, ops } = await setup();
    const response = await call("POST", "/api/features", {
      name: "solo",
      enabled: false,
      reason: "x".repeat(70 * 1024),
    });
    expect(response.status).toBe(413);
    expect(ops.features.isEnabled("solo")).toBe(true);
  });

  it("answers malformed and wrong bodies with 400 and what is wrong", async () => {
    const { call } = await setup();
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/api/features", "{not json", /not valid JSON/],
      ["POST", "/api/features", "[1,2]", /must be a JSON object/],
      [
        "POST",
        "/api/features",
        { name: "jetpacks", enabled: true },
        /"name" must be one of challenges, solo/,
      ],
      [
        "POST",
        "/api/features",
        { name: "solo", enabled: "yes" },
        /"enabled" must be true or false/,
      ],
      [
        "POST",
        "/api/features",
        { name: "solo", enabled: false, by: 7 },
        /"by" must be a short name/,
      ],
      ["POST", "/api/maintenance", {}, /"enabled" must be true or false/],
      ["POST", "/api/maintenance", { enabled: true, message: 5 }, /"message" must be text/],
      ["GET", "/api/audit?limit=0", undefined, /"limit" must be a whole number from 1 to 500/],
      ["GET", "/api/logs?tail=abc", undefined, /"tail" must be a whole number/],
      ["GET", "/api/errors?category=cosmic", undefined, /"category" must be one of/],
    ];
    for (const [method, path, body, message] of cases) {
      const response = await call(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(400);
      const json = await response.json();
      expect(json.error).toBe("bad_request");
      expect(json.message).toMatch(message);
    }
  });
});

describe("the admin API", () => {
  it("reports everything the monitor knows", async () => {
    const { call } = await setup();
    const response = await call("GET", "/api/status");
    expect(response.status).toBe(200);
    const status = await response.json();
    expect(Object.keys(status).sort()).toEqual([
      "alerts",
      "at",
      "backups",
      "checks",
      "draining",
      "errors",
      "features",
      "games",
      "health",
      "interactions",
      "jobs",
      "maintenance",
      "rateLimited",
      "rules",
      "safeMode",
      "sample",
      "sandbox",
      "startedAt",
      "status",
      "timeZone",
      "uptimeSeconds",
      "version",
    ]);
    expect(Object.keys(status.sample).sort()).toEqual([
      "at",
      "backup",
      "commands",
      "cpu",
      "database",
      "disk",
      "errors",
      "eventLoop",
      "gateway",
      "memory",
      "uptimeSeconds",
    ]);
    expect(status.jobs.map((j: { name: string }) => j.name)).toEqual([
      "backup",
      "maintenance",
      "health",
      "daily_report",
      "weekly_report",
    ]);
    expect(status.rules.map((r: { rule: string }) => r.rule)).toContain("backup_age");
    expect(status.games).toEqual({
      active: 0,
      completedToday: 0,
      topPlayers: [],
      records: { players: 0, games: 0, openGames: 0, archivedGames: 0 },
    });
    expect(status.rateLimited).toBe(0);
  });

  it("switches features and maintenance mode, audited with the caller's name", async () => {
    const { call, ops } = await setup();
    const off = await call("POST", "/api/features", {
      name: "solo",
      enabled: false,
      reason: "hotfix",
      by: "tui@ops",
    });
    expect(off.status).toBe(200);
    expect((await off.json()).feature).toMatchObject({
      name: "solo",
      enabled: false,
      reason: "hotfix",
    });
    expect(ops.features.isEnabled("solo")).toBe(false);
    const list = await (await call("GET", "/api/features")).json();
    expect(list.features.find((f: { name: string }) => f.name === "solo").enabled).toBe(false);

    const on = await call("POST", "/api/maintenance", { enabled: true, message: "Back at 10:00" });
    expect((await on.json()).maintenance).toMatchObject({
      enabled: true,
      message: "Back at 10:00",
    });
    expect((await (await call("GET", "/api/maintenance")).json()).maintenance.enabled).toBe(true);
    const alias = await call("POST", "/api/maintenance", { on: false });
    expect((await alias.json()).maintenance.enabled).toBe(false);
    await call("POST", "/api/maintenance", { enabled: true, message: "Back at 10:00" });

    const audit = await (await call("GET", "/api/audit?limit=5")).json();
    expect(
      audit.entries.map((e: { action: string; actor: { name: string; source: string } }) =>
        `${e.actor.name}/${e.actor.source} ${e.action}`
      ),
    ).toEqual([
      "admin API/api maintenance on",
      "admin API/api maintenance off",
      "admin API/api maintenance on",
      "tui@ops/api feature disable",
    ]);
    const page = await (await call("GET", `/api/audit?limit=5&before=${audit.entries[2].id}`))
      .json();
    expect(page.entries).toHaveLength(1);
  });

  it("vacuums on request and runs a job on request", async () => {
    const { call } = await setup();
    const vacuum = await call("POST", "/api/vacuum", {});
    expect(vacuum.status).toBe(200);
    expect((await vacuum.json()).vacuum).toMatchObject({ reclaimedBytes: expect.any(Number) });
    const run = await call("POST", "/api/jobs/health/run", { by: "tui" });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ job: "health", outcome: "success" });
    const jobs = await (await call("GET", "/api/jobs?runs=5")).json();
    expect(jobs.runs[0]).toMatchObject({ job: "health", trigger: "manual", outcome: "success" });
    expect((await call("POST", "/api/jobs/nope/run", {})).status).toBe(404);
    expect((await call("GET", "/api/jobs?job=nope")).status).toBe(404);
  });

  it("lists errors and the tail of the log", async () => {
    const { call, ops, dataDir } = await setup();
    ops.errors.record("database", new Error("database is locked"), { command: "blitz play" });
    const errors = await (await call("GET", "/api/errors?category=database")).json();
    expect(errors.totals.database).toBe(1);
    expect(errors.last10m).toBe(1);
    expect(errors.recent[0]).toMatchObject({ category: "database", command: "blitz play" });
    await Deno.mkdir(join(dataDir, "logs"), { recursive: true });
    await Deno.writeTextFile(
      join(dataDir, "logs", "blitz.log"),
      [
        '{"level":"info","message":"a"}',
        '{"level":"warning","message":"b"}',
        '{"level":"error","message":"c"}',
      ].join("\n") + "\n",
    );
    const logs = await (await call("GET", "/api/logs?tail=2")).json();
    expect(logs.lines).toEqual([{ level: "warning", message: "b" }, {
      level: "error",
      message: "c",
    }]);
  });

  it("streams the status, then changes as they happen", async () => {
    const { call, ops } = await setup();
    const response = await call("GET", "/api/stream");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: status\ndata: \{.*\}\n/);
    ops.features.set("challenges", false, { id: "api", name: "test", source: "api" }, "spam");
    await readUntil(/event: feature\ndata: .*"challenges"/);
    await readUntil(/event: audit\ndata: .*"feature disable"/);
    ops.events.close(); // shutdown ends open streams
    await readUntil(/$/);
    const end = await reader.read();
    expect(end.done).toBe(true);
  });

  it("renders every metric in a form promtool accepts", async () => {
    const { metrics, ops } = await setup();
    ops.errors.record("command", new Error("x"));
    ops.onInteractionFinished("ping", 0.02, "ok");
    await ops.healthCheck();
    const text = await metrics.render();
    for (
      const name of [
        "blitz_errors_total",
        "blitz_alerts_total",
        "blitz_alert_delivery_failures_total",
        "blitz_job_runs_total",
        "blitz_job_last_success_timestamp_seconds",
        "blitz_feature_enabled",
        "blitz_maintenance_mode",
        "blitz_event_loop_delay_seconds",
        "blitz_disk_free_bytes",
        "blitz_disk_used_ratio",
        "blitz_database_size_bytes",
        "blitz_database_wal_size_bytes",
        "blitz_command_latency_window_seconds",
        "blitz_command_error_ratio",
        "blitz_gateway_down_seconds",
        "blitz_health_level",
        "blitz_alert_level",
        "blitz_circuit_breaker_trips_total",
      ]
    ) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/blitz_errors_total\{category="command"\} 1/);
    expect(text).toMatch(/blitz_feature_enabled\{feature="solo"\} 1/);
    let promtool = true;
    try {
      new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" })
        .outputSync();
    } catch {
      promtool = false;
    }
    if (!promtool) return;
    const check = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await check.output();
    const problems = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    expect(problems.trim()).toBe("");
    expect(out.code).toBe(0);
  });
});

describe("the runtime's automatic actions", () => {
  it("switches a failing feature off, alerts and audits it, and resets when it is switched on", async () => {
    const { ops, posted } = await setup({ CIRCUIT_BREAKER_ERRORS: "3" });
    for (let i = 0; i < 3; i++) ops.onInteractionError(new Error("boom"), "blitz play");
    expect(ops.features.get("solo")).toMatchObject({ enabled: false, changedBy: "Blitz (system)" });
    expect(ops.features.get("solo").reason).toMatch(/circuit breaker: 3 failure/);
    expect(ops.errors.totals().command).toBe(3);
    await new Promise((r) => setTimeout(r, 10));
    expect(posted.map((p) => (p.body.embeds?.[0] as { title: string }).title)).toEqual([
      "🔴 CRITICAL: Circuit breaker: solo",
    ]);
    const audit = ops.audit.list({ limit: 1 })[0]!;
    expect(audit).toMatchObject({
      action: "feature disable",
      target: "solo",
      actor: { id: "system" },
    });
    // Errors of a switched-off feature do not trip it again; other commands never trip one.
    ops.onInteractionError(new Error("boom"), "blitz stats");
    ops.actions.setFeature("solo", true, { id: "1", name: "Owner", source: "discord" });
    await new Promise((r) => setTimeout(r, 10));
    expect((posted[1]!.body.embeds?.[0] as { title: string }).title).toBe(
      "✅ RESOLVED: Circuit breaker: solo",
    );
    ops.onInteractionError(new Error("boom"), "blitz play");
    ops.onInteractionError(new Error("boom"), "blitz play");
    expect(ops.features.isEnabled("solo")).toBe(true); // the count started again
  });

  it("alerts the admin channel from the health check when a threshold is passed", async () => {
    const { ops, posted } = await setup({ ALERT_MEMORY_MB: "warning=1" });
    expect(await ops.healthCheck()).toMatch(/memory warning/);
    await ops.healthCheck();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.channelId).toBe("123456789012345678");
    expect((posted[0]!.body.embeds?.[0] as { title: string }).title).toBe(
      "🟠 WARNING: Memory (heap used)",
    );
    expect(ops.status().health).toBe("warning");
  });

  it("says nothing to Discord in safe mode, where alerts are off", async () => {
    const { ops, posted } = await setup({ ALERT_MEMORY_MB: "warning=1" });
    ops.features.enterSafeMode();
    await ops.healthCheck();
    expect(posted).toEqual([]);
    expect(ops.alerter.active()).toHaveLength(1);
  });
});
