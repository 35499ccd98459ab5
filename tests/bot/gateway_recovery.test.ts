/**
 * discordeno 21.0.0's gateway against the sandbox's gateway faults: the library as published
 * (evidence for docs/DECISIONS.md D12) and Blitz's connection (`createDiscordConnection`).
 */
import { createGatewayManager, createRestManager, type GatewayManager } from "@discordeno/bot";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDiscordConnection,
  type DiscordConnection,
  GatewayFatalError,
  TokenRejectedError,
} from "../../src/bot/discord.ts";
import { log } from "../../src/log.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** discordeno needs heartbeat intervals above ~1.1 s (its send bucket is 0 below that). */
const HEARTBEAT_MS = 1500;

let sandbox: Sandbox | undefined;
let stopBot: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopBot?.();
  stopBot = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

async function rawDiscordeno(s: Sandbox): Promise<GatewayManager> {
  const rest = createRestManager({
    token: s.token,
    proxy: { baseUrl: s.restUrl },
    logger: quiet as never,
  });
  rest.isProxied = false;
  const session = await rest.getSessionInfo();
  let ready = () => {};
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const gateway = createGatewayManager({
    token: s.token,
    intents: 1,
    connection: session,
    url: session.url,
    spawnShardDelay: 0,
    resharding: { enabled: false, shardsFullPercentage: 80, checkInterval: -1 },
    logger: quiet as never,
    events: { message: (_shard, payload) => payload.t === "READY" && ready() },
  });
  await gateway.spawnShards();
  await readyPromise;
  stopBot = async () => {
    await gateway.shutdown(1000, "test over").catch(() => {});
    for (const shard of gateway.shards.values()) {
      shard.stopHeartbeating();
      clearTimeout(shard.bucket.timeoutId);
    }
    for (const queue of rest.queues.values()) clearTimeout(queue.deleteQueueTimeout);
  };
  return gateway;
}

function blitzConnection(
  s: Sandbox,
  extra: { intents?: number; onFatal?: (e: Error) => void } = {},
): DiscordConnection {
  const connection = createDiscordConnection({
    token: s.token,
    apiUrl: s.restUrl,
    intents: extra.intents,
    logger: log("test"),
    onDispatch: () => {},
    onFatal: extra.onFatal ?? (() => {}),
  });
  stopBot = () => connection.stop();
  return connection;
}

describe("a zombie connection whose TCP connection dies later", () => {
  it("as published, 21.0.0 resumes twice and ends with two competing sessions", async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: HEARTBEAT_MS });
    await rawDiscordeno(sandbox);
    await sandbox.client.zombieGateway({ severAfterMs: 3 * HEARTBEAT_MS });
    await sleep(6 * HEARTBEAT_MS);
    const { gateway } = await sandbox.client.state();
    expect(gateway.competingSockets).toBeGreaterThan(0);
    expect(gateway.maxSessionsPerShard).toBeGreaterThan(1);
  });

  it("Blitz's connection replaces it at once with one RESUME and no competing socket", async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: HEARTBEAT_MS });
    const connection = blitzConnection(sandbox);
    await connection.start();
    const fault = await sandbox.client.zombieGateway({ severAfterMs: 3 * HEARTBEAT_MS });
    await sleep(6 * HEARTBEAT_MS);
    const state = await sandbox.client.state();
    expect(state.gateway).toMatchObject({ identifies: 1, resumes: 1, competingSockets: 0 });
    expect(state.gateway.maxSessionsPerShard).toBe(1);
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.outcome).toBe("resumed");
    // Detected within two heartbeat intervals, before the dead connection was cut.
    const resumed = story!.reactions.find((r) => /RESUME of session/.test(r.what))!;
    expect(resumed.afterMs).toBeLessThan(3 * HEARTBEAT_MS);
    expect(connection.connected()).toBe(true);
  });
});

describe("fatal closes", () => {
  it("a privileged intent the app has not enabled ends start() with GatewayFatalError 4014", async () => {
    sandbox = await startSandbox();
    const connection = blitzConnection(sandbox, { intents: 1 | (1 << 8) });
    const error = await connection.start(5000).catch((e) => e);
    expect(error).toBeInstanceOf(GatewayFatalError);
    expect((error as GatewayFatalError).code).toBe(4014);
    expect((await sandbox.client.state()).gateway.identifies).toBe(0);
  });

  it("a token revoked while connected reports TokenRejectedError once, without reconnecting", async () => {
    sandbox = await startSandbox();
    const fatal: Error[] = [];
    const connection = blitzConnection(sandbox, { onFatal: (e) => fatal.push(e) });
    await connection.start();
    const fault = await sandbox.client.revokeToken(2000);
    for (let i = 0; i < 100 && fatal.length === 0; i++) await sleep(20);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(TokenRejectedError);
    await sleep(300);
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.counts.connections ?? 0).toBe(0);
  });
});
