/**
 * The real `blitz run` against a sandbox in this process, through REST faults: every answer
 * must still be delivered, and no request may be sent before its Retry-After has passed
 * (the sandbox counts those as "early requests").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, type SandboxUser, startSandbox } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { pickOnBoard, readMessage } from "../_helpers/game_driver.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("Blitz through REST faults", () => {
  let sandbox: Sandbox;
  let blitz: BlitzProcess;
  let users: Record<string, SandboxUser>;
  let httpPort: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    users = Object.fromEntries(sandbox.users.map((u) => [u.username, u]));
    const dataDir = await tempDir();
    const env = sandboxRunEnv(dataDir);
    httpPort = env.httpPort;
    blitz = spawnBlitz({
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
  });
  afterAll(async () => {
    blitz.kill("SIGTERM");
    await blitz.exited;
    await sandbox.close();
  });

  const early = async () => (await sandbox.client.state()).rest.earlyRequests;
  /** A /ping by `name` that the sandbox settles as failed (no answer in 3 s); its id. */
  const failedPing = async (name: string) => {
    const handle = await sandbox.client.command({ userId: users[name]!.id, name: "ping" });
    const settled = await sandbox.client.waitForResponse(handle.id, 10_000);
    expect(settled.status).toBe("failed");
    return handle.id;
  };
  /** Blitz's stderr since offset `from`, once it matches `pattern` (waits up to 10 s). */
  const logSince = async (from: number, pattern: RegExp) => {
    let log = "";
    for (let i = 0; i < 100 && !pattern.test(log); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = blitz.stderr().slice(from);
    }
    return log;
  };
  const pings = async (...names: string[]) => {
    const handles = await Promise.all(
      names.map((name) => sandbox.client.command({ userId: users[name]!.id, name: "ping" })),
    );
    return await Promise.all(handles.map((h) => sandbox.client.waitForResponse(h.id, 10_000)));
  };

  it("answers every interaction through shared-scope 429s on the callback route, never early", async () => {
    const before = await early();
    // The sandbox's clock is this process's: no answer may land before the fault is over.
    const started = Date.now();
    const fault = await sandbox.client.rateLimit({
      route: "/interactions",
      scope: "shared",
      durationMs: 1200,
      resetAfterMs: 100,
    });
    const records = await pings("alice", "bob", "carol");
    expect(records.map((r) => r.status)).toEqual(["answered", "answered", "answered"]);
    for (const record of records) expect(record.answeredAt! - started).toBeGreaterThanOrEqual(1100);
    expect(await early()).toBe(before);
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.counts.responses429).toBeGreaterThanOrEqual(3);
    expect(story?.counts.early ?? 0).toBe(0);
    expect(story?.outcome).toBe("retried after Retry-After");
  });

  it("answers every interaction through user-scope 429s on the callback route, never early", async () => {
    const before = await early();
    await sandbox.client.rateLimit({ route: "/interactions", durationMs: 1000 });
    const records = await pings("alice", "dave");
    expect(records.map((r) => r.status)).toEqual(["answered", "answered"]);
    expect(await early()).toBe(before);
  });

  it("delivers a board edit through a global 429 (no Reset-After), never early", async () => {
    const { bob, carol } = users as Record<string, SandboxUser>;
    const challenge = await sandbox.client.waitForResponse(
      (await sandbox.client.command({
        userId: bob!.id,
        name: "blitz",
        subcommand: "challenge",
        options: [{ name: "opponent", value: carol!.id }, { name: "possessions", value: 1 }],
      })).id,
      10_000,
    );
    const messageId = challenge.original!.id;
    const invite = await readMessage(sandbox.client, sandbox.channelId, messageId);
    await sandbox.client.waitForResponse(
      (await sandbox.client.click({
        userId: carol!.id,
        messageId,
        customId: invite.components[0].components[0].custom_id,
      })).id,
      10_000,
    );
    const board = await readMessage(sandbox.client, sandbox.channelId, messageId);

    const before = await early();
    const fault = await sandbox.client.rateLimit({ scope: "global", durationMs: 1500 });
    // The pick is confirmed ephemerally (interaction endpoint: not bound to the global limit);
    // the board is then edited with PATCH /channels/…/messages/…, which is.
    const pick = await pickOnBoard(sandbox.client, board, bob!);
    expect(pick.status).toBe("answered");
    expect(pick.callback?.data?.content).toMatch(/You picked/);
    const edited = await sandbox.client.waitForMessage(
      sandbox.channelId,
      (m) =>
        m.id === messageId &&
        /Waiting for: Carol$/m.test(
          m.embeds[0]?.fields?.find((f: { name: string }) => f.name === "On the floor")?.value ??
            "",
        ),
      10_000,
    );
    expect(Date.parse(edited.edited_timestamp!)).toBeGreaterThanOrEqual(fault.startedAt + 1000);
    expect(await early()).toBe(before);
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.counts.responses429).toBeGreaterThanOrEqual(1);
    expect(story?.outcome).toBe("retried after Retry-After");
  });

  it("says in one line, without a stack trace, that an answer reached Discord too late, and sends nothing more", async () => {
    const logBefore = blitz.stderr().length;
    // The callback is held 3.5 s on its way: Discord gets it after the 3-second deadline.
    const fault = await sandbox.client.latency({
      route: "/interactions",
      latencyMs: 3500,
      durationMs: 4000,
    });
    const id = await failedPing("carol");
    const log = await logSince(logBefore, /expired/);
    const expired = log.split("\n").filter((line) => line.includes("expired"));
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatch(
      /\[WRN\].*Interaction ping expired: its answer reached Discord after/,
    );
    expect(expired[0]).toMatch(/This interaction failed/);
    // Blitz did answer, late; it logged no stack and did not try to apologize with a dead token.
    const late = await sandbox.client.interaction(id);
    expect(late.lateCallbackMs).toBeGreaterThanOrEqual(3000);
    expect(log).not.toMatch(/^\s+at /m);
    expect(log).not.toMatch(/Could not tell the user|\[ERR\]/);
    // Counted apart in /metrics, and as a failure in the error rate: the user saw it fail.
    let metrics = "";
    let errorRatio = 0;
    for (let i = 0; i < 100 && !(errorRatio > 0); i++) {
      metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      errorRatio = Number(/^blitz_command_error_ratio (\S+)$/m.exec(metrics)?.[1]);
      if (!(errorRatio > 0)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(metrics).toMatch(/blitz_commands_total\{command="ping",outcome="expired"\} 1\b/);
    expect(errorRatio).toBeGreaterThan(0);
    await sandbox.client.endFault(fault.id);
    const [record] = await pings("carol");
    expect(record!.status).toBe("answered");
  });

  it("logs an answer Discord kept failing in one line, and sends no apology it cannot deliver", async () => {
    const logBefore = blitz.stderr().length;
    // Every callback fails with a 500 until the fault is ended: Blitz's three retries (0.7 s)
    // all fail too.
    const fault = await sandbox.client.serverErrors({
      route: "/interactions",
      status: 500,
      durationMs: 8000,
    });
    const id = await failedPing("dave");
    const log = await logSince(logBefore, /Interaction ping failed/);
    const lines = log.split("\n").filter((line) => line.includes("Interaction ping failed"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\[ERR\].*a request to Discord failed \(HTTP 500 /);
    expect(log).not.toMatch(/^\s+at /m);
    // The old apology, a follow-up through an interaction Discord never acknowledged.
    expect(log).not.toMatch(/Could not tell the user/);
    expect((await sandbox.client.interaction(id)).followups).toEqual([]);
    await sandbox.client.endFault(fault.id);
    const [record] = await pings("dave");
    expect(record!.status).toBe("answered");
  });

  it("answers within the deadline under 800 ms of added latency", async () => {
    const fault = await sandbox.client.latency({ latencyMs: 800, durationMs: 5000 });
    const [record] = await pings("alice");
    expect(record!.status).toBe("answered");
    expect(record!.latencyMs).toBeGreaterThanOrEqual(750);
    await sandbox.client.endFault(fault.id);
  });
});
