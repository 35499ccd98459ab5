/**
 * discordeno keeps a REST queue per route, and every interaction token is a route of its own:
 * Blitz's connection lets an idle queue go after a few seconds instead of discordeno's 60.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordConnection, REST_QUEUE_IDLE_MS } from "../../src/bot/discord.ts";
import { log } from "../../src/log.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { eventually } from "../_helpers/fault_rig.ts";

let sandbox: Sandbox | undefined;
let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  stop = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

describe("REST route queues", () => {
  it("are let go once idle, so one per interaction token does not pile up", async () => {
    sandbox = await startSandbox({});
    const connection = createDiscordConnection({
      token: sandbox.token,
      apiUrl: sandbox.restUrl,
      restQueueIdleMs: 1500,
      logger: log("test"),
      onDispatch: () => {},
      onFatal: () => {},
    });
    stop = () => connection.stop();
    await connection.start();
    const before = connection.rest.queues.size;
    // 30 interaction tokens, each asked for its original response: 30 routes of their own.
    // Asked at once, so that none has been idle long enough to go before the count.
    await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) => connection.rest.getOriginalInteractionResponse(`token-${i}`).catch(() => {}),
      ),
    );
    const withTokens = connection.rest.queues.size;
    // The start's own routes (the bot user, the gateway) may already have gone.
    expect(withTokens).toBeGreaterThanOrEqual(30);
    expect(withTokens).toBeLessThanOrEqual(before + 30);
    // All of them go once idle (polled, at most 10 s for an idle time of 1.5 s).
    await eventually(
      () => connection.rest.queues.size === 0 ? true : undefined,
      "every idle REST queue to go",
      10_000,
      50,
    );
    // A route used again after its queue went is served by a new one.
    await connection.rest.getOriginalInteractionResponse("token-0").catch(() => {});
    expect(connection.rest.queues.size).toBe(1);
  });

  it("are kept seconds by default, not discordeno's minute", () => {
    expect(REST_QUEUE_IDLE_MS).toBeLessThanOrEqual(10_000);
    expect(REST_QUEUE_IDLE_MS).toBeGreaterThanOrEqual(1_000);
  });
});
