import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLITZ_CHANNEL, type OpsRun, startOpsRun, titled } from "../ops/ops_e2e.ts";

describe("admin controls through the sandbox (blitz run in sandbox mode)", () => {
  let run: OpsRun;
  beforeAll(async () => {
    run = await startOpsRun({
      env: { BLITZ_FAULT_INJECT: "command:blitz play", CIRCUIT_BREAKER_ERRORS: "3" },
    });
  });
  afterAll(async () => {
    await run?.stop();
  });

  it("refuses a member's /admin backup, makes no backup, and audits the attempt", async () => {
    const answer = await run.command("alice", "admin", "backup");
    expect(answer.callback?.type).toBe(4);
    expect(answer.callback?.data?.flags).toBe(64);
    expect(answer.callback?.data?.content).toMatch(/Manage Server or Administrator/);
    const backups = await run.api("GET", "/api/backups");
    expect(backups.body.backups).toEqual([]);
    const audit = await run.api("GET", "/api/audit?action=admin%20backup");
    expect(audit.body.entries[0]).toMatchObject({
      action: "admin backup",
      outcome: "refused",
      actor: { id: run.users.alice!.id, name: "Alice", source: "discord" },
    });
  });

  it("makes a backup for a moderator: deferred at once, then the verified file", async () => {
    const answer = await run.command("dave", "admin", "backup", [{ name: "label", value: "e2e" }]);
    expect(answer.callback?.type).toBe(5);
    expect(answer.callback?.data?.flags).toBe(64);
    const text = await run.original(answer.id, /Backup/);
    expect(text).toMatch(/^✅ Backup `blitz-.*-manual-e2e\.db` written and verified/);
    const backups = await run.api("GET", "/api/backups");
    expect(backups.body.backups).toHaveLength(1);
    expect(backups.body.backups[0].state).toBe("verified");
  });

  it("answers /admin health, jobs and errors ephemerally for the owner", async () => {
    for (const sub of ["health", "jobs", "errors", "audit", "settings"]) {
      const answer = await run.command("owner", "admin", sub);
      expect(answer.callback?.data?.flags, sub).toBe(64);
      expect(answer.callback?.data?.embeds?.[0]?.title, sub).toBeTruthy();
    }
    const health = await run.command("owner", "admin", "health");
    const fields = health.callback?.data?.embeds?.[0]?.fields.map((f: { name: string }) => f.name);
    expect(fields).toEqual([
      "Discord",
      "Commands (10 min)",
      "Errors",
      "Database",
      "Memory and CPU",
      "Disk",
      "Backups",
      "Games",
      "Features off",
      "Jobs",
    ]);
    const jobs = await run.command("owner", "admin", "jobs");
    expect(jobs.callback?.data?.embeds?.[0]?.fields.map((f: { name: string }) => f.name)).toEqual([
      "✅ backup",
      "✅ maintenance",
      "✅ health",
      "✅ daily_report",
      "✅ weekly_report",
    ]);
  });

  it("tells players a switched-off feature is off, until it is switched on again", async () => {
    const off = await run.command("owner", "admin", "feature disable", [
      { name: "name", value: "challenges" },
      { name: "reason", value: "spam wave" },
    ]);
    expect(off.callback?.data?.content).toBe("🔴 **challenges** is now off (spam wave).");
    const refused = await run.command("bob", "blitz", "challenge", [
      { name: "opponent", value: run.users.carol!.id },
    ]);
    expect(refused.callback?.data?.flags).toBe(64);
    expect(refused.callback?.data?.content).toBe(
      "🚧 Challenges are switched off right now (spam wave). Other /blitz commands still work.",
    );
    const features = await run.api("GET", "/api/features");
    expect(features.body.features.find((f: { name: string }) => f.name === "challenges").enabled)
      .toBe(false);
    await run.command("owner", "admin", "feature enable", [{ name: "name", value: "challenges" }]);
    const allowed = await run.command("bob", "blitz", "challenge", [
      { name: "opponent", value: run.users.carol!.id },
    ]);
    expect(allowed.callback?.data?.flags ?? 0).toBe(0); // the public challenge
    await run.command("bob", "blitz", "forfeit");
  });

  it("answers game commands with the maintenance message while maintenance mode is on", async () => {
    await run.command("owner", "admin", "maintenance on", [
      { name: "message", value: "🛠️ Upgrading the court, back at 10:00" },
    ]);
    for (const sub of ["stats", "leaderboard", "help"]) {
      const answer = await run.command("carol", "blitz", sub);
      expect(answer.callback?.data?.content, sub).toBe("🛠️ Upgrading the court, back at 10:00");
      expect(answer.callback?.data?.flags).toBe(64);
    }
    const ping = await run.command("carol", "ping");
    expect(ping.callback?.data?.content).toMatch(/Pong/);
    const status = await run.api("GET", "/api/maintenance");
    expect(status.body.maintenance.enabled).toBe(true);
    await run.command("owner", "admin", "maintenance off");
    const help = await run.command("carol", "blitz", "help");
    expect(help.callback?.data?.embeds?.[0]?.title).toMatch(/How to play/);
  });

  it("switches solo games off when /blitz play keeps failing, alerts, audits, and resets on enable", async () => {
    for (let i = 0; i < 3; i++) {
      const failed = await run.command("alice", "blitz", "play");
      expect(failed.callback?.data?.content, `attempt ${i + 1}`).toMatch(
        /Something went wrong on our side/,
      );
    }
    const refused = await run.command("alice", "blitz", "play");
    expect(refused.callback?.data?.content).toMatch(
      /^🚧 Solo games are switched off right now \(circuit breaker: 3 failure\(s\) of "blitz play"/,
    );
    const alert = await run.client.waitForMessage(
      BLITZ_CHANNEL,
      (m) => m.embeds?.[0]?.title === "🔴 CRITICAL: Circuit breaker: solo",
      10_000,
    );
    expect(alert.embeds[0].fields.find((f: { name: string }) => f.name === "What to do").value)
      .toMatch(/\/admin feature enable solo/);
    const audit = await run.api("GET", "/api/audit?action=feature%20disable");
    expect(audit.body.entries[0]).toMatchObject({
      target: "solo",
      outcome: "ok",
      actor: { id: "system", source: "system" },
    });
    const errors = await run.api("GET", "/api/errors?category=command");
    expect(errors.body.recent[0]).toMatchObject({ category: "command", command: "blitz play" });
    expect(errors.body.recent[0].message).toMatch(/Injected fault/);

    await run.command("owner", "admin", "feature enable", [{ name: "name", value: "solo" }]);
    await run.client.waitForMessage(
      BLITZ_CHANNEL,
      (m) => m.embeds?.[0]?.title === "✅ RESOLVED: Circuit breaker: solo",
      10_000,
    );
    // The breaker starts counting again: the handler runs (and fails, as injected).
    const again = await run.command("alice", "blitz", "play");
    expect(again.callback?.data?.content).toMatch(/Something went wrong on our side/);
    expect(await titled(run.client, BLITZ_CHANNEL, /Circuit breaker: solo/)).toHaveLength(2);
    const metrics = await (await fetch(`${run.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/blitz_circuit_breaker_trips_total\{feature="solo"\} 1/);
    expect(metrics).toMatch(/blitz_feature_enabled\{feature="solo"\} 1/);
  });
});

describe("blitz run --safe-mode", () => {
  let run: OpsRun;
  beforeAll(async () => {
    run = await startOpsRun({ args: ["run", "--safe-mode"] });
  });
  afterAll(async () => {
    await run?.stop();
  });

  it("starts with only the core game on, and a feature comes back with /admin feature enable", async () => {
    const play = await run.command("alice", "blitz", "play");
    expect(play.callback?.data?.content).toBe(
      "🚧 Solo games are switched off right now (Blitz is running in safe mode). Other /blitz commands still work.",
    );
    const help = await run.command("alice", "blitz", "help");
    expect(help.callback?.data?.embeds?.[0]?.title).toMatch(/How to play/);
    const status = await run.api("GET", "/api/status");
    expect(status.body.safeMode).toBe(true);
    expect(status.body.features.map((f: { name: string; enabled: boolean }) => [f.name, f.enabled]))
      .toEqual([
        ["challenges", false],
        ["solo", false],
        ["tournaments", false],
        ["reports", false],
        ["alerts", false],
      ]);
    const audit = await run.api("GET", "/api/audit?action=safe%20mode");
    expect(audit.body.entries).toHaveLength(1);
    await run.command("owner", "admin", "feature enable", [{ name: "name", value: "solo" }]);
    const again = await run.command("alice", "blitz", "play");
    expect(again.callback?.data?.embeds?.[0]?.title).toMatch(/vs The House/);
  });
});
