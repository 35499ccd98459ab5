/**
 * Simulated players playing the real `blitz run` in sandbox mode: they start games, click
 * the right rows, accept challenges, finish games, and show up in /metrics. `--players N`
 * and the control route start, scale and stop them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runWithPlayers(args: string[], extraEnv: Record<string, string> = {}) {
  const env = sandboxRunEnv(await tempDir());
  const blitz = spawnBlitz({
    args: ["run", ...args],
    env: { ...env, SHOT_CLOCK_SECONDS: "4", ...extraEnv },
  });
  await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
  await blitz.waitForStderr(/Bot is ready!/);
  // The banner (with the number of players) comes once the start has returned.
  await blitz.waitForStderr(/simulated players in #arena/, 10_000);
  return { blitz, env, client: createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`) };
}

describe("simulated players in sandbox mode", () => {
  let blitz: BlitzProcess;
  let client: SandboxClient;
  let httpPort: string;

  beforeAll(async () => {
    const run = await runWithPlayers(["--players", "4"]);
    blitz = run.blitz;
    client = run.client;
    httpPort = run.env.httpPort;
  });
  afterAll(async () => {
    blitz.kill("SIGTERM");
    await blitz.exited;
  });

  it("start with --players 4 and play whole games in #arena through buttons and commands", async () => {
    expect((await client.players()).players).toBe(4);
    // Faster people than the defaults, so games finish within the test's time.
    await client.startPlayers(4, {
      seed: 42,
      thinkMs: [50, 250],
      idleMs: [100, 500],
      actionsPerSecond: 20,
      challengeChance: 0.7,
      possessions: [1, 2],
    });
    let stats = await client.players();
    for (let i = 0; i < 300 && stats.gamesFinished < 3; i++) {
      await sleep(100);
      stats = await client.players();
    }
    expect(stats.running).toBe(true);
    expect(stats.gamesFinished).toBeGreaterThanOrEqual(3);
    expect(stats.clicks).toBeGreaterThan(0);
    expect(stats.commands).toBeGreaterThan(0);
    expect(stats.failures).toBe(0);
    const state = await client.state();
    expect(state.channels.find((c) => c.id === stats.channelId)?.name).toBe("arena");
    expect(state.users.filter((u) => /^player\d$/.test(u.username))).toHaveLength(4);
    const messages = await client.messages(stats.channelId);
    expect(
      messages.some((m) =>
        /Final: .+ wins|forfeited|Abandoned/.test(m.embeds?.[0]?.description ?? "")
      ),
    )
      .toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/blitz_games_completed_total\{[^}]+\} [1-9]/);
  });

  it("act only through interactions the bot answered, each user at most once at a time", async () => {
    const playerIds = new Set(
      (await client.state()).users.filter((u) => /^player\d+$/.test(u.username)).map((u) => u.id),
    );
    const mine = (await client.interactions(500)).filter((r) => playerIds.has(r.userId));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((r) => r.status === "failed")).toEqual([]);
    expect(mine.some((r) => r.customId?.startsWith("pick:"))).toBe(true);
    for (const id of playerIds) {
      const own = mine.filter((r) => r.userId === id && r.status === "answered")
        .sort((a, b) => a.createdAt - b.createdAt);
      for (let i = 1; i < own.length; i++) {
        expect(own[i]!.createdAt).toBeGreaterThanOrEqual(own[i - 1]!.answeredAt!);
      }
    }
  });

  it("scale down, report stats, and stop through the control route", async () => {
    expect((await client.scalePlayers(2)).players).toBe(2);
    const stopped = await client.stopPlayers();
    expect(stopped.running).toBe(false);
    const clicks = stopped.clicks;
    await sleep(1500);
    expect((await client.players()).clicks).toBe(clicks);
  });
});

describe("--players 0", () => {
  it("starts no player", async () => {
    const { blitz, client } = await runWithPlayers(["--players", "0"]);
    try {
      expect(await client.players()).toMatchObject({ running: false, players: 0, clicks: 0 });
      expect(blitz.stderr()).toMatch(/0 simulated players in #arena/);
    } finally {
      blitz.kill("SIGTERM");
      await blitz.exited;
    }
  });
});
