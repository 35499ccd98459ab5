/**
 * The real `blitz run` against a sandbox in this process, through gateway faults: what the
 * sandbox records about its recovery is what is checked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, type SandboxUser, startSandbox } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

/** Short heartbeats so a zombie is noticed in seconds (discordeno needs more than ~1.1 s). */
const HEARTBEAT_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startBlitzAgainst(sandbox: Sandbox): Promise<BlitzProcess> {
  const dataDir = await tempDir();
  const env = sandboxRunEnv(dataDir);
  const blitz = spawnBlitz({
    args: ["run"],
    env: {
      ...env,
      DISCORD_TOKEN: sandbox.token,
      DISCORD_API_URL: sandbox.restUrl,
      USER_RATE_BURST: "50",
      USER_RATE_PER_SECOND: "50",
    },
  });
  await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
  await blitz.waitForStderr(/Bot is ready!/);
  return blitz;
}

/** Polls (bounded) until `check` returns a value. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`Condition not met within ${timeoutMs} ms`);
}

describe("Blitz through gateway faults", () => {
  let sandbox: Sandbox;
  let blitz: BlitzProcess;
  let alice: SandboxUser;

  beforeAll(async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: HEARTBEAT_MS });
    alice = sandbox.users.find((u) => u.username === "alice")!;
    blitz = await startBlitzAgainst(sandbox);
  });
  afterAll(async () => {
    blitz.kill("SIGTERM");
    await blitz.exited;
    await sandbox.close();
  });
  afterEach(async () => {
    // Let the bot settle (connected again) before the next fault.
    await eventually(async () => {
      const state = await sandbox.client.state();
      return state.sessions.some((s) => s.connected) ? true : undefined;
    });
  });

  const ping = async () => {
    const handle = await sandbox.client.command({ userId: alice.id, name: "ping" });
    return handle.id;
  };

  it("after a dropped connection it RESUMEs (never re-IDENTIFYs) and answers every interaction", async () => {
    const before = (await sandbox.client.state()).gateway;
    const fault = await sandbox.client.dropGateway();
    const ids = [await ping(), await ping(), await ping()];
    const records = await Promise.all(ids.map((id) => sandbox.client.waitForResponse(id, 10_000)));
    expect(records.map((r) => r.status)).toEqual(["answered", "answered", "answered"]);
    const story = await eventually(async () => {
      const record = await sandbox.client.faultRecord(fault.id);
      return record?.outcome ? record : undefined;
    });
    expect(story.outcome).toBe("resumed");
    const after = (await sandbox.client.state()).gateway;
    expect(after.identifies).toBe(before.identifies);
    expect(after.resumes).toBe(before.resumes + 1);
    expect(after.competingSockets).toBe(0);
  });

  it("replays what was dispatched while it was away, and answers it", async () => {
    // A zombie swallows dispatches: the interaction below reaches the bot only by replay.
    const fault = await sandbox.client.zombieGateway({ severAfterMs: 4 * HEARTBEAT_MS });
    const id = await ping();
    const story = await eventually(async () => {
      const record = await sandbox.client.faultRecord(fault.id);
      return record?.outcome ? record : undefined;
    });
    expect(story.outcome).toBe("resumed");
    const resume = story.reactions.find((r) => /RESUME of session/.test(r.what))!;
    expect(resume.what).toMatch(/replayed [1-9]\d* missed dispatch/);
    // The replayed interaction may reach the bot after Discord's 3 s deadline: then it is
    // failed, but the bot's late callback shows it was delivered and handled.
    const record = await eventually(async () => {
      const r = await sandbox.client.interaction(id);
      return r.status === "answered" || r.lateCallbackMs !== undefined ? r : undefined;
    });
    expect(record.status === "answered" || record.lateCallbackMs! > 0).toBe(true);
  });

  it("detects a zombie connection and replaces it, with one socket per session throughout", async () => {
    const before = (await sandbox.client.state()).gateway;
    const fault = await sandbox.client.zombieGateway({ severAfterMs: 4 * HEARTBEAT_MS });
    const story = await eventually(async () => {
      const record = await sandbox.client.faultRecord(fault.id);
      return record?.outcome ? record : undefined;
    });
    expect(story.outcome).toBe("resumed");
    // Detected within two heartbeat intervals (plus the first one's jitter), not after the cut.
    const resumed = story.reactions.find((r) => /RESUME of session/.test(r.what))!;
    expect(resumed.afterMs).toBeLessThan(3 * HEARTBEAT_MS);
    await sleep(4 * HEARTBEAT_MS); // past the cut of the dead connection
    const after = (await sandbox.client.state()).gateway;
    expect(after.identifies).toBe(before.identifies);
    expect(after.competingSockets).toBe(0);
    expect(after.maxSessionsPerShard).toBe(1);
    const answer = await sandbox.client.waitForResponse(await ping(), 10_000);
    expect(answer.status).toBe("answered");
    expect(blitz.stderr()).toMatch(/replacing the zombie connection/);
  });

  it("on RECONNECT (op 7) it closes and resumes", async () => {
    const fault = await sandbox.client.sendReconnect();
    const story = await eventually(async () => {
      const record = await sandbox.client.faultRecord(fault.id);
      return record?.outcome ? record : undefined;
    });
    expect(story.outcome).toBe("resumed");
    expect(story.reactions[0]?.what).toMatch(/client closed connection #\d+ with code/);
    expect((await sandbox.client.waitForResponse(await ping(), 10_000)).status).toBe("answered");
  });

  it("on INVALID_SESSION (d: false) it identifies a new session and keeps working", async () => {
    const fault = await sandbox.client.sendInvalidSession(false);
    const story = await eventually(async () => {
      const record = await sandbox.client.faultRecord(fault.id);
      return record?.outcome ? record : undefined;
    }, 20_000);
    expect(story.outcome).toBe("re-identified");
    expect((await sandbox.client.waitForResponse(await ping(), 10_000)).status).toBe("answered");
    expect((await sandbox.client.state()).gateway.competingSockets).toBe(0);
  });
});

describe("Blitz when its token is revoked", () => {
  it("ends with exit code 4 on gateway close 4004, without reconnecting or printing the token", async () => {
    const sandbox = await startSandbox({ heartbeatIntervalMs: HEARTBEAT_MS });
    try {
      const blitz = await startBlitzAgainst(sandbox);
      const fault = await sandbox.client.revokeToken(15_000);
      const code = await Promise.race([blitz.exited, sleep(15_000).then(() => -1)]);
      if (code === -1) blitz.kill("SIGKILL");
      expect(code).toBe(4);
      expect(blitz.stderr()).toMatch(/Discord rejected the bot token \(gateway close 4004\)/);
      expect(blitz.stderr()).not.toContain(sandbox.token);
      const story = await sandbox.client.faultRecord(fault.id);
      expect(story?.counts.connections ?? 0).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
