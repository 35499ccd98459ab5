import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { freePort } from "../_helpers/ports.ts";
import { type OpsRun, startOpsRun } from "../ops/ops_e2e.ts";

describe("alerts are never lost silently", () => {
  let sandbox: Sandbox;
  let run: OpsRun;
  let hook: Deno.HttpServer;
  const received: { embeds?: { title: string }[]; username?: string }[] = [];

  beforeAll(async () => {
    const port = freePort();
    hook = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
      received.push(await request.json());
      return new Response(null, { status: 204 });
    });
    sandbox = await startSandbox();
    // Discord refuses every message to a channel: the admin channel cannot get the alert.
    await sandbox.client.fault({
      kind: "server_error",
      status: 503,
      route: "POST /channels/{channel.id}/messages",
      durationMs: 120_000,
    });
    run = await startOpsRun({
      sandbox,
      env: {
        HEALTH_INTERVAL_SECONDS: "1",
        ALERT_MEMORY_MB: "warning=1",
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/api/webhooks/1/secret`,
      },
    });
  });
  afterAll(async () => {
    run?.blitz.kill("SIGKILL");
    await run?.blitz.exited;
    await sandbox?.close();
    await hook?.shutdown();
  });

  it("sends the alert to ALERT_WEBHOOK_URL when the admin channel refuses it, and counts the failure", async () => {
    const deadline = Date.now() + 60_000;
    while (!received.some((r) => r.embeds?.[0]?.title === "🟠 WARNING: Memory (heap used)")) {
      if (Date.now() > deadline) {
        throw new Error(`no alert at the webhook: ${JSON.stringify(received)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(received[0]!.username).toBe("Blitz alerts");
    const metrics = await (await fetch(`${run.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/blitz_alert_delivery_failures_total\{target="channel"\} [1-9]/);
    expect(metrics).toMatch(/blitz_alert_delivery_failures_total\{target="webhook"\} 0/);
    const status = await run.api("GET", "/api/status");
    const alert = status.body.alerts.recent.find((a: { rule: string }) => a.rule === "memory");
    expect(alert.failedTo).toEqual([expect.stringMatching(/^channel:/)]);
    expect(alert.deliveredTo).toEqual(["webhook"]);
    const errors = await run.api("GET", "/api/errors?category=discord");
    expect(errors.body.recent[0].command).toBe("alert delivery (channel)");
    // The webhook's secret path never reaches the log.
    expect(run.blitz.stderr()).not.toContain("secret");
  });
});
