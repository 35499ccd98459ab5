import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createSandboxClient, startSandbox } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  runBlitz,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

function promtoolAvailable(): boolean {
  try {
    new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

describe("blitz run in sandbox mode, end to end", () => {
  let dataDir: string;
  let env: ReturnType<typeof sandboxRunEnv>;
  let blitz: BlitzProcess;

  beforeAll(async () => {
    dataDir = await tempDir();
    env = sandboxRunEnv(dataDir);
    blitz = spawnBlitz({ args: ["run"], env });
    await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
  });
  afterAll(() => blitz.kill("SIGKILL"));

  it("reports healthy with discord online once the gateway is up", async () => {
    const response = await fetch(`http://127.0.0.1:${env.httpPort}/health`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text.startsWith('{"status":"ok"')).toBe(true);
    expect(JSON.parse(text).discord).toBe("online");
    // The banner follows the start's last step (the command sync), which may finish just after
    // /health first says online.
    await blitz.waitForStderr(/SANDBOX MODE: no DISCORD_TOKEN is set/, 10_000);
    expect(blitz.stderr()).toContain(`/_sandbox/interactions`);
  });

  it("answers /ping from a sandbox user with an ephemeral message", async () => {
    const client = createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`);
    const alice = (await client.state()).users.find((u) => u.username === "alice")!;
    const handle = await client.command({ userId: alice.id, name: "ping" });
    const record = await client.waitForResponse(handle.id, 10_000);
    expect(record.status).toBe("answered");
    expect(record.callback?.type).toBe(4);
    expect(record.callback?.data?.content).toMatch(/Pong!/);
    expect(record.callback?.data?.flags).toBe(64);
  });

  it("counts the /ping in /metrics, in a format promtool accepts", async () => {
    // The router counts a command once its answer's HTTP call returns, and the gateway gauge is
    // sampled every second: poll (bounded) until both are in.
    let text = "";
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(`http://127.0.0.1:${env.httpPort}/metrics`)).text();
      if (
        /blitz_commands_total\{command="ping",outcome="ok"\} [1-9]/.test(text) &&
        /blitz_gateway_connected 1/.test(text)
      ) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toMatch(/blitz_commands_total\{command="ping",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/blitz_gateway_connected 1/);
    if (!promtoolAvailable()) return; // CI installs it (.ci/run); locally it is optional
    const check = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await check.output();
    const problems = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    expect(problems.trim()).toBe("");
    expect(out.code).toBe(0);
  });

  it("rides out a stalled callback in the sandbox without a runtime warning in its log", async () => {
    const client = createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`);
    const bob = (await client.state()).users.find((u) => u.username === "bob")!;
    const fault = await client.stall({ route: "/interactions", durationMs: 60_000 });
    const handle = await client.command({ userId: bob.id, name: "ping" });
    // The sandbox holds Blitz's callback until the fault ends, then answers 504.
    for (let i = 0; i < 100 && !(await client.faultRecord(fault.id))?.counts.held; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await client.faultRecord(fault.id))?.counts.held).toBeGreaterThan(0);
    await client.endFault(fault.id);
    const record = await client.waitForResponse(handle.id, 10_000);
    expect(record.status).not.toBe("pending");
    const after = await client.command({ userId: bob.id, name: "ping" });
    expect((await client.waitForResponse(after.id, 10_000)).status).toBe("answered");
    // Deno's notice about request.signal's legacy behaviour is not for an operator's eyes.
    expect(blitz.stderr()).not.toMatch(/legacy behavior|request\.signal/);
  });

  it("refuses a second instance on the same data directory with exit 75 and the pid", async () => {
    const second = await runBlitz({ args: ["run"], env: sandboxRunEnv(dataDir) });
    expect(second.code).toBe(75);
    expect(second.stderr).toContain(`already running as pid ${blitz.pid}`);
  });

  it("stops cleanly on SIGTERM: exit 0, lock removed, log file written", async () => {
    blitz.kill("SIGTERM");
    expect(await blitz.exited).toBe(0);
    expect(await Deno.stat(join(dataDir, "blitz.lock")).catch(() => null)).toBeNull();
    const logText = await Deno.readTextFile(join(dataDir, "logs", "blitz.log"));
    expect(logText).toContain("Synced");
    expect(logText).toContain("Bot is ready!");
    expect(logText).toContain("Stopped cleanly");
  });
});

describe("blitz run: start-up failures", () => {
  it("takes over a stale lock left by a dead process, with a warning", async () => {
    const dataDir = await tempDir();
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(
      join(dataDir, "blitz.lock"),
      JSON.stringify({ pid: dead.pid, startTime: "1", acquiredAt: "x" }),
    );
    const env = sandboxRunEnv(dataDir);
    const blitz = spawnBlitz({ args: ["run"], env });
    try {
      await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
      expect(blitz.stderr()).toContain(`Took over a stale lock left by pid ${dead.pid}`);
    } finally {
      blitz.kill("SIGTERM");
      expect(await blitz.exited).toBe(0);
    }
  });

  it("exits 1 with one clear line, no stack, when Discord cannot be reached at start", async () => {
    const dataDir = await tempDir();
    const env = sandboxRunEnv(dataDir);
    const { code, stderr } = await runBlitz({
      args: ["run"],
      env: {
        ...env,
        DISCORD_TOKEN: "MTExMTExMTExMTExMTExMTEx.ZZZZZZ.unreachableunreachableunreach12",
        // A port nobody listens on (the sandbox's, which is not started).
        DISCORD_API_URL: `http://127.0.0.1:${env.sandboxPort}/api`,
        DISCORD_REST_TIMEOUT_SECONDS: "2",
      },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /\[FTL\].*Cannot reach Discord at http:\/\/127\.0\.0\.1:\d+\/api: .*Check this machine's network/,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/\[cause\]/);
  });

  it("exits 4 when Discord rejects the token, and never prints the token", async () => {
    const sandbox = await startSandbox();
    try {
      const wrongToken = "MTExMTExMTExMTExMTExMTEx.ZZZZZZ.wrongwrongwrongwrongwrongwrong12";
      const dataDir = await tempDir();
      const { code, stderr, stdout } = await runBlitz({
        args: ["run"],
        env: {
          ...sandboxRunEnv(dataDir),
          DISCORD_TOKEN: wrongToken,
          DISCORD_API_URL: sandbox.restUrl,
        },
      });
      expect(code).toBe(4);
      expect(stderr).toMatch(/rejected the bot token/);
      expect(stderr).toMatch(/Reset Token/);
      expect(stderr + stdout).not.toContain(wrongToken);
      const logText = await Deno.readTextFile(join(dataDir, "logs", "blitz.log"));
      expect(logText).toMatch(/rejected the bot token/);
      expect(logText).not.toContain(wrongToken);
    } finally {
      await sandbox.close();
    }
  });
});
