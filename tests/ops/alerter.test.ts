import { describe, expect, it } from "vitest";
import { type AlertMessageBody, createAlerter } from "../../src/ops/alerter.ts";
import type { AlertInput } from "../../src/ops/alerter.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { log } from "../../src/log.ts";

function setup(options: {
  channels?: string[];
  webhook?: boolean;
  gatewayUp?: boolean;
  failChannel?: boolean;
  failWebhook?: boolean;
  enabled?: boolean;
} = {}) {
  const time = fakeTime(Date.UTC(2026, 5, 1));
  const posted: { channelId: string; body: AlertMessageBody }[] = [];
  const webhook: Record<string, unknown>[] = [];
  const failures: string[] = [];
  let gatewayUp = options.gatewayUp ?? true;
  const alerter = createAlerter({
    clock: time,
    logger: log("test"),
    cooldownMs: 5 * 60_000,
    channels: () => options.channels ?? ["111"],
    postToChannel: (channelId, body) => {
      if (options.failChannel) return Promise.reject(new Error("Missing Access"));
      posted.push({ channelId, body });
      return Promise.resolve();
    },
    webhookUrl: options.webhook ? "https://discord.example/api/webhooks/1/abc" : undefined,
    fetch: ((_url: string, init: RequestInit) => {
      webhook.push(JSON.parse(String(init.body)));
      return Promise.resolve(new Response(null, { status: options.failWebhook ? 500 : 204 }));
    }) as typeof fetch,
    gatewayUp: () => gatewayUp,
    enabled: () => options.enabled ?? true,
    onDeliveryFailure: (target) => failures.push(target),
  });
  return {
    time,
    alerter,
    posted,
    webhook,
    failures,
    setGateway: (up: boolean) => (gatewayUp = up),
  };
}

const memory = (severity: AlertInput["severity"], display = "250 MB"): AlertInput => ({
  rule: "memory",
  title: "Memory (RSS)",
  severity,
  display,
  threshold: 200,
  unit: "MB",
  advice: "Restart Blitz if it keeps growing.",
});

describe("the alerter", () => {
  it("posts one alert with severity, value, threshold and advice, then a resolved message", async () => {
    const { time, alerter, posted } = setup();
    await alerter.update(memory("critical"));
    time.advance(60_000);
    await alerter.update(memory("critical", "260 MB"));
    expect(posted).toHaveLength(1);
    const embed = posted[0]!.body.embeds[0] as {
      title: string;
      fields: { name: string; value: string }[];
    };
    expect(posted[0]!.channelId).toBe("111");
    expect(embed.title).toBe("🔴 CRITICAL: Memory (RSS)");
    expect(embed.fields).toEqual([
      { name: "Value", value: "250 MB", inline: true },
      { name: "Threshold", value: "200 MB", inline: true },
      { name: "What to do", value: "Restart Blitz if it keeps growing.", inline: false },
    ]);
    expect(alerter.active()).toMatchObject([{ rule: "memory", severity: "critical" }]);
    time.advance(60_000);
    await alerter.update(memory(null, "80 MB"));
    expect(posted).toHaveLength(2);
    expect((posted[1]!.body.embeds[0] as { title: string }).title).toBe(
      "✅ RESOLVED: Memory (RSS)",
    );
    expect(posted[1]!.body.content).toMatch(/back within limits \(80 MB\)/);
    expect(alerter.active()).toEqual([]);
    expect(alerter.recent().map((r) => r.kind)).toEqual(["resolved", "alert"]);
  });

  it("sends a reminder once the cooldown has passed while the rule is still tripped", async () => {
    const { time, alerter, posted } = setup();
    for (let minute = 0; minute <= 10; minute++) {
      await alerter.update(memory("warning"));
      time.advance(60_000);
    }
    expect(posted.map((p) => (p.body.embeds[0] as { title: string }).title)).toEqual([
      "🟠 WARNING: Memory (RSS)",
      "🟠 WARNING (still): Memory (RSS)",
      "🟠 WARNING (still): Memory (RSS)",
    ]);
  });

  it("uses the webhook when the gateway is down, and the channel again when it is back", async () => {
    const { alerter, posted, webhook, setGateway, time } = setup({
      webhook: true,
      gatewayUp: false,
    });
    await alerter.update({ ...memory("critical"), rule: "gateway_down", title: "Discord gateway" });
    expect(webhook).toHaveLength(1);
    expect(webhook[0]!.username).toBe("Blitz alerts");
    expect((webhook[0]!.embeds as { title: string }[])[0]!.title).toBe(
      "🔴 CRITICAL: Discord gateway",
    );
    expect(posted).toHaveLength(1);
    setGateway(true);
    time.advance(1000);
    await alerter.update({ ...memory(null), rule: "gateway_down", title: "Discord gateway" });
    expect(webhook).toHaveLength(1);
    expect(posted).toHaveLength(2);
    expect(alerter.recent()[1]!.deliveredTo).toEqual(["channel:111", "webhook"]);
  });

  it("falls back to the webhook when a channel post fails, and counts the failure", async () => {
    const { alerter, webhook, failures } = setup({ webhook: true, failChannel: true });
    await alerter.update(memory("warning"));
    expect(failures).toEqual(["channel"]);
    expect(webhook).toHaveLength(1);
    expect(alerter.recent()[0]).toMatchObject({
      failedTo: ["channel:111"],
      deliveredTo: ["webhook"],
    });
  });

  it("counts a failed webhook too, and keeps the alert in the record", async () => {
    const { alerter, failures } = setup({ channels: [], webhook: true, failWebhook: true });
    await alerter.update(memory("warning"));
    expect(failures).toEqual(["webhook"]);
    expect(alerter.recent()[0]).toMatchObject({
      rule: "memory",
      failedTo: ["webhook"],
      deliveredTo: [],
    });
  });

  it("only logs when the alerts feature is off", async () => {
    const { alerter, posted, webhook } = setup({ webhook: true, enabled: false });
    await alerter.update(memory("critical"));
    expect(posted).toEqual([]);
    expect(webhook).toEqual([]);
    expect(alerter.recent()).toHaveLength(1);
  });

  it("sends notices under the cooldown and never a resolved message for them", async () => {
    const { alerter, posted, time } = setup();
    const notice = { rule: "backup_done", title: "Backup done", display: "b.db", advice: "" };
    await alerter.notice(notice);
    time.advance(60_000);
    await alerter.notice(notice);
    time.advance(5 * 60_000);
    await alerter.notice(notice);
    expect(posted.map((p) => (p.body.embeds[0] as { title: string }).title)).toEqual([
      "ℹ️ INFO: Backup done",
      "ℹ️ INFO: Backup done",
    ]);
    expect(alerter.active()).toEqual([]);
  });
});
