import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Sandbox, type SandboxUser, startSandbox } from "../../src/sandbox/mod.ts";
import { boardButtons, pickOnBoard, readMessage } from "../_helpers/game_driver.ts";
import { BLITZ_CHANNEL, type OpsRun, startOpsRun, titled } from "../ops/ops_e2e.ts";

describe("alerts, the daily report and shutdown, against a sandbox in the test process", () => {
  let sandbox: Sandbox;
  let run: OpsRun;
  let interactions = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    run = await startOpsRun({
      sandbox,
      env: {
        HEALTH_INTERVAL_SECONDS: "1",
        // A backup older than ~1.8 s trips: Blitz was set up moments ago and has none.
        ALERT_BACKUP_AGE_HOURS: "warning=0.0005",
      },
    });
  });
  afterAll(async () => {
    run?.blitz.kill("SIGKILL");
    await sandbox?.close();
  });

  /** Waits until the health job has run `count` more times. */
  const healthRuns = async (count: number) => {
    const runs = async () =>
      (await run.api("GET", "/api/jobs?job=health&runs=500")).body.runs.filter(
        (r: { outcome: string }) => r.outcome === "success",
      ).length;
    const target = (await runs()) + count;
    const deadline = Date.now() + 20_000;
    while ((await runs()) < target) {
      if (Date.now() > deadline) throw new Error("the health job stopped running");
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const metric = async (pattern: RegExp) =>
    Number(pattern.exec(await (await fetch(`${run.httpUrl}/metrics`)).text())?.[1] ?? NaN);

  it("sends an alert to the admin channel once per cooldown, and a resolved message when it clears", async () => {
    const alert = await run.client.waitForMessage(
      BLITZ_CHANNEL,
      (m) => m.embeds?.[0]?.title === "🟠 WARNING: Last verified backup",
      20_000,
    );
    const fields = Object.fromEntries(
      alert.embeds[0].fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields.Value).toMatch(/^none yet \(set up \d+ s ago\)$/);
    expect(fields.Threshold).toBe("0.0005 h");
    expect(fields["What to do"]).toMatch(/\/admin backup/);
    await healthRuns(3); // still tripped at every check: no second message within the cooldown
    expect(await titled(run.client, BLITZ_CHANNEL, /WARNING.*Last verified backup/)).toHaveLength(
      1,
    );
    expect(
      await metric(/blitz_alerts_total\{rule="backup_age",severity="warning",kind="alert"\} (\d+)/),
    )
      .toBe(1);
    const status = await run.api("GET", "/api/status");
    expect(status.body.alerts.active).toEqual([
      expect.objectContaining({ rule: "backup_age", severity: "warning", announced: true }),
    ]);

    const backup = await run.api("POST", "/api/backups", { label: "fix" });
    expect(backup.status).toBe(201);
    const resolved = await run.client.waitForMessage(
      BLITZ_CHANNEL,
      (m) => m.embeds?.[0]?.title === "✅ RESOLVED: Last verified backup",
      20_000,
    );
    expect(resolved.embeds[0].description).toMatch(
      /^Back within limits: \*\*\d+ s ago\*\* \(was warning/,
    );
    // The backup soon ages past the tiny threshold again: that trip falls in the cooldown.
    await healthRuns(4);
    expect(await titled(run.client, BLITZ_CHANNEL, /WARNING.*Last verified backup/)).toHaveLength(
      1,
    );
    expect(
      await metric(/blitz_alerts_suppressed_total\{rule="backup_age",severity="warning"\} (\d+)/),
    )
      .toBeGreaterThanOrEqual(1);
  });

  it("posts the daily report with the figures of the games played", async () => {
    const users = run.users;
    const command = async (
      user: SandboxUser,
      sub: string,
      options?: { name: string; value: unknown }[],
    ) => {
      interactions++;
      return await run.command(user.username, "blitz", sub, options);
    };
    const click = async (user: SandboxUser, messageId: string, customId: string) => {
      interactions++;
      return await sandbox.client.waitForResponse(
        (await sandbox.client.click({ userId: user.id, messageId, customId })).id,
        10_000,
      );
    };
    const pick = async (board: Awaited<ReturnType<typeof readMessage>>, user: SandboxUser) => {
      interactions++;
      return await pickOnBoard(sandbox.client, board, user);
    };

    // A challenge of one possession each, played to the end.
    const challenge = await command(users.bob!, "challenge", [
      { name: "opponent", value: users.carol!.id },
      { name: "possessions", value: 1 },
    ]);
    const messageId = challenge.original!.id;
    const invite = await readMessage(sandbox.client, BLITZ_CHANNEL, messageId);
    const accept =
      invite.components[0].components.find((c: { label: string }) => c.label === "Accept")
        .custom_id;
    await click(users.carol!, messageId, accept);
    let board = await readMessage(sandbox.client, BLITZ_CHANNEL, messageId);
    for (let turn = 0; turn < 40 && boardButtons(board).offense.length > 0; turn++) {
      await pick(board, users.bob!);
      await pick(board, users.carol!);
      board = await readMessage(sandbox.client, BLITZ_CHANNEL, messageId);
    }
    const winner = /Final: (\w+) wins/.exec(board.embeds[0].description)?.[1];
    expect(winner === "Bob" || winner === "Carol").toBe(true);

    // A solo game forfeited, and a solo game played to the end.
    await command(users.alice!, "play");
    await command(users.alice!, "forfeit");
    const solo = await command(users.dave!, "play");
    let soloBoard = await readMessage(sandbox.client, BLITZ_CHANNEL, solo.original!.id);
    for (let turn = 0; turn < 60 && boardButtons(soloBoard).offense.length > 0; turn++) {
      await pick(soloBoard, users.dave!);
      soloBoard = await readMessage(sandbox.client, BLITZ_CHANNEL, solo.original!.id);
    }
    expect(soloBoard.embeds[0].description).toMatch(/Final:/);

    // Every interaction is counted once its handler returns, a moment after the user sees it.
    const deadline = Date.now() + 10_000;
    while ((await run.api("GET", "/api/status")).body.sample.commands.count < interactions) {
      if (Date.now() > deadline) throw new Error("interactions were not all counted");
      await new Promise((r) => setTimeout(r, 50));
    }
    const job = await run.api("POST", "/api/jobs/daily_report/run", { by: "e2e" });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ job: "daily_report", outcome: "success" });
    expect(job.body.detail).toMatch(/^posted to 1 channel\(s\): 3 games/);
    const [report] = await titled(sandbox.client, BLITZ_CHANNEL, /^📊 Daily report — /);
    expect(report).toBeDefined();
    const field = (name: string) =>
      report!.embeds[0].fields.find((f: { name: string }) => f.name === name)?.value;
    expect(field("Games played")).toBe("3");
    expect(field("Games completed")).toBe("2");
    expect(field("Forfeited / abandoned")).toBe("1 / 0");
    expect(field("Active players")).toBe("4");
    expect(field("Commands")).toBe(String(interactions));
    expect(field("Error rate")).toBe("0.00 % (0 failed)");
    expect(field("Backups made")).toBe("1");
    expect(field("Top players")).toContain(`**${winner}** — 1 win in 1`);
    expect(field("Memory (RSS)")).toMatch(/^\d+\.\d MB$/);
    expect(field("Health")).toMatch(/warning|ok/);
    const audit = await run.api("GET", "/api/audit?action=job%20run");
    expect(audit.body.entries[0]).toMatchObject({ target: "daily_report", actor: { name: "e2e" } });
  });

  it("posts a maintenance notice, stops with exit 0 on SIGTERM, and audits the shutdown", async () => {
    expect(await run.stop()).toBe(0);
    const notices = (await sandbox.client.messages(BLITZ_CHANNEL)).filter((m) =>
      /shutting down for maintenance/.test(m.content)
    );
    expect(notices).toHaveLength(1);
    const db = new DatabaseSync(join(run.dataDir, "blitz.db"), { readOnly: true });
    try {
      const last = db.prepare(
        "SELECT action, actor_id, outcome FROM audit_log ORDER BY id DESC LIMIT 1",
      )
        .get();
      expect(last).toEqual({ action: "shutdown", actor_id: "system", outcome: "ok" });
      const counters = db.prepare(
        "SELECT sum(value) AS n FROM hourly_counters WHERE name = 'commands'",
      )
        .get() as { n: number };
      expect(counters.n).toBe(interactions); // persisted on the way out
    } finally {
      db.close();
    }
  });
});
