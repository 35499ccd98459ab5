import { createBot, type GatewayIntents } from "@discordeno/bot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { api } from "./_rest.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
  await api(sandbox, "PUT", `/applications/${sandbox.applicationId}/commands`, [{
    name: "ping",
    description: "Ping",
  }]);
});
afterAll(async () => {
  await sandbox.close();
});

describe("a real discordeno bot", () => {
  it("connects, receives a slash command and answers it through the sandbox", async () => {
    const problems: unknown[][] = [];
    const quiet = () => ({
      debug() {},
      info() {},
      warn: (...args: unknown[]) => problems.push(["warn", ...args]),
      error: (...args: unknown[]) => problems.push(["error", ...args]),
      fatal: (...args: unknown[]) => problems.push(["fatal", ...args]),
    });
    let readySession: string | undefined;
    const answered: Promise<unknown>[] = [];
    const bot = createBot({
      token: sandbox.token,
      intents: 0 as GatewayIntents, // none: INTERACTION_CREATE needs no intent
      loggerFactory: quiet,
      rest: { token: sandbox.token, proxy: { baseUrl: sandbox.restUrl } },
      // spawnShardDelay 0: discordeno otherwise waits 5.3 s after READY before start() resolves.
      gateway: { url: sandbox.gatewayUrl, token: sandbox.token, spawnShardDelay: 0 },
      events: {
        ready: (payload) => {
          readySession = payload.sessionId;
        },
        raw: (packet) => {
          if (packet.t !== "INTERACTION_CREATE") return;
          const d = packet.d as { id: string; token: string };
          answered.push(
            bot.rest.sendInteractionResponse(d.id, d.token, {
              type: 4,
              data: { content: "pong", flags: 64 },
            }),
          );
        },
      },
    });
    // A base URL other than discord.com makes discordeno skip its queue; use its normal path.
    bot.rest.isProxied = false;

    try {
      await bot.start(); // GET /gateway/bot, then IDENTIFY; resolves after READY
      expect(readySession).toMatch(/^[0-9a-f]{32}$/);
      expect(bot.id.toString()).toBe(sandbox.applicationId);

      const alice = sandbox.users.find((u) => u.username === "alice")!;
      const handle = await sandbox.client.command({ userId: alice.id, name: "ping" });
      const record = await sandbox.client.waitForResponse(handle.id);
      await Promise.all(answered);

      expect(record.status).toBe("answered");
      expect(record.callback?.type).toBe(4);
      expect(record.original).toMatchObject({
        content: "pong",
        ephemeral: true,
        visible_to: alice.id,
      });
      expect(problems).toEqual([]);
    } finally {
      await bot.shutdown();
      // discordeno leaves its own timers behind: the request queue's delayed cleanup and
      // the shard's send-bucket refill. Clear them so the test process exits promptly.
      for (const queue of bot.rest.queues.values()) {
        clearTimeout(queue.deleteQueueTimeout);
        clearTimeout(queue.timeoutId);
      }
      for (const shard of bot.gateway.shards.values()) clearTimeout(shard.bucket.timeoutId);
    }
  });
});
