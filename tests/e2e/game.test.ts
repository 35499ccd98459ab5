import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  createSandboxClient,
  type Sandbox,
  type SandboxClient,
  type SandboxUser,
  startSandbox,
} from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { boardButtons, pickOnBoard, readMessage, scoreLine } from "../_helpers/game_driver.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

interface Running {
  blitz: BlitzProcess;
  client: SandboxClient;
  env: ReturnType<typeof sandboxRunEnv>;
}

async function startBlitz(
  dataDir: string,
  env = sandboxRunEnv(dataDir),
  extra: Record<string, string> = {},
): Promise<Running> {
  const blitz = spawnBlitz({
    args: ["run"],
    env: { ...env, USER_RATE_BURST: "50", USER_RATE_PER_SECOND: "50", ...extra },
  });
  await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
  return { blitz, client: createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`), env };
}

describe("Basketball Blitz through the sandbox", () => {
  let dataDir: string;
  let run: Running;
  let users: Record<string, SandboxUser>;
  let channelId: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    run = await startBlitz(dataDir);
    const state = await run.client.state();
    users = Object.fromEntries(state.users.map((u) => [u.username, u]));
    channelId = state.channels.find((c) => c.type === 0)!.id;
  });
  afterAll(async () => {
    run.blitz.kill("SIGTERM");
    await run.blitz.exited;
  });

  const command = async (
    user: SandboxUser,
    subcommand: string,
    options?: { name: string; value: unknown }[],
  ) => {
    const handle = await run.client.command({
      userId: user.id,
      name: "blitz",
      subcommand,
      options: options as never,
    });
    return await run.client.waitForResponse(handle.id, 10_000);
  };

  it("plays a full solo game to the final score", async () => {
    const started = await command(users.alice!, "play");
    expect(started.callback?.type).toBe(4);
    expect(started.callback?.data?.flags ?? 0).toBe(0); // the board is public
    const boardId = started.original!.id;
    let board = await readMessage(run.client, channelId, boardId);
    expect(board.embeds[0].title).toContain("vs The House");
    for (let turn = 0; turn < 60 && boardButtons(board).offense.length > 0; turn++) {
      const answer = await pickOnBoard(run.client, board, users.alice!);
      expect(answer.callback?.type).toBe(7); // the board itself is updated
      board = await readMessage(run.client, channelId, boardId);
    }
    expect(board.components).toEqual([]);
    expect(board.embeds[0].description).toMatch(/Final: .+ wins \d+–\d+/);
  });

  it("learns a new board's message from Discord's answer to the reply, without asking again", async () => {
    // Counts the requests for an original response (GET /webhooks/…/messages/@original).
    const watch = await run.client.latency({
      route: "GET /webhooks",
      latencyMs: 1,
      durationMs: 60_000,
    });
    const started = await command(users.dave!, "play");
    const boardId = started.original!.id;
    // The board is known at once: a forfeit without a click redraws it.
    await command(users.dave!, "forfeit");
    let board = await readMessage(run.client, channelId, boardId);
    for (let i = 0; i < 50 && board.components.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      board = await readMessage(run.client, channelId, boardId);
    }
    expect(board.components).toEqual([]);
    expect(board.embeds[0].description).toMatch(/forfeit/i);
    await run.client.endFault(watch.id);
    expect((await run.client.faultRecord(watch.id))?.outcome).toBe("0 delayed");
  });

  it("plays a full challenge between two users and updates stats and the leaderboard", async () => {
    const challenge = await command(users.bob!, "challenge", [{
      name: "opponent",
      value: users.carol!.id,
    }, {
      name: "possessions",
      value: 2,
    }]);
    const messageId = challenge.original!.id;
    const invite = await readMessage(run.client, channelId, messageId);
    expect(invite.content).toContain(`<@${users.carol!.id}>`);
    const accept =
      invite.components[0].components.find((c: { label: string }) => c.label === "Accept")
        .custom_id;
    const accepted = await run.client.waitForResponse(
      (await run.client.click({ userId: users.carol!.id, messageId, customId: accept })).id,
      10_000,
    );
    expect(accepted.callback?.type).toBe(7);
    let board = await readMessage(run.client, channelId, messageId);
    for (let turn = 0; turn < 40 && boardButtons(board).offense.length > 0; turn++) {
      const first = await pickOnBoard(run.client, board, users.bob!);
      expect(first.callback?.data?.flags).toBe(64); // confirmed only to the picker
      expect(first.callback?.data?.content).toMatch(/You picked/);
      const second = await pickOnBoard(run.client, board, users.carol!);
      expect(second.callback?.type).toBe(7);
      board = await readMessage(run.client, channelId, messageId);
    }
    expect(board.embeds[0].description).toMatch(/Final: (Bob|Carol) wins/);
    const winner = /Final: (\w+) wins/.exec(board.embeds[0].description)![1]!;

    const stats = await command(users.bob!, "stats");
    const fields = stats.callback?.data?.embeds?.[0]?.fields ?? [];
    const rating = Number(
      /^(\d+)/.exec(fields.find((f: { name: string }) => f.name === "Rating").value)![1],
    );
    expect(rating).toBe(winner === "Bob" ? 1016 : 984);

    const leaderboard = await command(users.alice!, "leaderboard");
    const text = leaderboard.callback?.data?.embeds?.[0]?.description ?? "";
    expect(text.split("\n")[0]).toContain(winner);
    expect(text).toMatch(/Bob/);
    expect(text).toMatch(/Carol/);
  });

  it("answers every misuse ephemerally and changes nothing", async () => {
    const started = await command(users.dave!, "play");
    const boardId = started.original!.id;
    const board = await readMessage(run.client, channelId, boardId);
    const before = scoreLine(board);
    const { offense, defense } = boardButtons(board);

    const expectEphemeral = (
      record: Awaited<ReturnType<typeof command>>,
      pattern: RegExp,
    ) => {
      expect(record.callback?.type).toBe(4);
      expect(record.callback?.data?.flags).toBe(64);
      expect(record.callback?.data?.content).toMatch(pattern);
    };
    const click = async (user: SandboxUser, customId: string) =>
      await run.client.waitForResponse(
        (await run.client.click({
          userId: user.id,
          messageId: boardId,
          customId,
          staleClient: true,
        })).id,
      );

    await expectEphemeral(await click(users.alice!, offense[0]!), /isn't your game/);
    await expectEphemeral(await click(users.dave!, defense[0]!), /on offense/);
    await expectEphemeral(await command(users.dave!, "play"), /already have a game/);
    await expectEphemeral(
      await command(users.dave!, "challenge", [{ name: "opponent", value: users.dave!.id }]),
      /yourself/,
    );
    await expectEphemeral(
      await command(users.alice!, "challenge", [{ name: "opponent", value: users.other_bot!.id }]),
      /is a bot/,
    );
    const first = await click(users.dave!, offense[2]!);
    expect(first.callback?.type).toBe(7);
    await expectEphemeral(await click(users.dave!, offense[2]!), /earlier possession/); // stale button
    const unknown = await run.client.waitForResponse(
      (await run.client.click({
        userId: users.dave!.id,
        messageId: boardId,
        customId: "mystery:1",
        staleClient: true,
      }))
        .id,
    );
    await expectEphemeral(unknown, /no longer supported/);
    expect(scoreLine(await readMessage(run.client, channelId, boardId))).not.toBe("");
    expect(before).toMatch(/Dave 0 — 0 The House/);
    await expectEphemeral(await command(users.dave!, "forfeit"), /You forfeited/);
  });

  it("shows games, help and stats of a newcomer", async () => {
    expect((await command(users.alice!, "help")).callback?.data?.embeds?.[0]?.title).toMatch(
      /How to play/,
    );
    expect((await command(users.owner!, "stats")).callback?.data?.content).toMatch(/hasn't played/);
    expect((await command(users.alice!, "games")).callback?.data).toBeDefined();
    const metrics = await (await fetch(`http://127.0.0.1:${run.env.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/blitz_games_completed_total\{mode="solo",status="completed"\} 1/);
    expect(metrics).toMatch(/blitz_games_completed_total\{mode="challenge",status="completed"\} 1/);
    expect(metrics).toMatch(/blitz_game_actions_total\{kind="pick"\} \d+/);
  });
});

/** Blitz against a sandbox that outlives it, as Discord outlives a bot restart. */
async function startAgainst(
  sandbox: Sandbox,
  dataDir: string,
  extra: Record<string, string> = {},
): Promise<Running> {
  const env = sandboxRunEnv(dataDir);
  return await startBlitz(dataDir, env, {
    DISCORD_TOKEN: sandbox.token,
    DISCORD_API_URL: sandbox.restUrl,
    ...extra,
  });
}

describe("restart safety", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("continues a challenge after SIGKILL from the last confirmed pick, and finishes it", async () => {
    const dataDir = await tempDir();
    let run = { ...await startAgainst(sandbox, dataDir), client: sandbox.client };
    const state = await run.client.state();
    const [alice, bob] = ["alice", "bob"].map((n) => state.users.find((u) => u.username === n)!);
    const channelId = state.channels.find((c) => c.type === 0)!.id;
    const challenge = await run.client.waitForResponse(
      (await run.client.command({
        userId: alice!.id,
        name: "blitz",
        subcommand: "challenge",
        options: [{ name: "opponent", value: bob!.id }, { name: "possessions", value: 2 }] as never,
      })).id,
    );
    const messageId = challenge.original!.id;
    const invite = await readMessage(run.client, channelId, messageId);
    await run.client.waitForResponse(
      (await run.client.click({
        userId: bob!.id,
        messageId,
        customId: invite.components[0].components[0].custom_id,
      })).id,
    );
    let board = await readMessage(run.client, channelId, messageId);
    await pickOnBoard(run.client, board, alice!);
    await pickOnBoard(run.client, board, bob!); // possession 1 resolved
    board = await readMessage(run.client, channelId, messageId);
    const confirmed = await pickOnBoard(run.client, board, alice!, { defense: "press" }); // confirmed, then killed
    expect(confirmed.callback?.data?.content).toMatch(/You picked/);

    run.blitz.kill("SIGKILL");
    await run.blitz.exited;
    const db = new DatabaseSync(join(dataDir, "blitz.db"), { readOnly: true });
    const row = db.prepare("SELECT picks, pending_offense, pending_defense FROM games")
      .get() as Record<string, string>;
    db.close();
    expect(row.picks).toHaveLength(1);
    expect([row.pending_offense, row.pending_defense]).toContain("press");

    run = { ...await startAgainst(sandbox, dataDir), client: sandbox.client }; // the board's buttons still work
    try {
      expect(run.blitz.stderr()).toMatch(/Loaded 1 games/);
      const again = await pickOnBoard(run.client, board, bob!);
      expect(again.callback?.type).toBe(7);
      board = await readMessage(run.client, channelId, messageId);
      expect(board.embeds[0].fields.find((f: { name: string }) => f.name === "Last play").value)
        .toMatch(/Press/);
      for (let turn = 0; turn < 40 && boardButtons(board).offense.length > 0; turn++) {
        await pickOnBoard(run.client, board, alice!);
        await pickOnBoard(run.client, board, bob!);
        board = await readMessage(run.client, channelId, messageId);
      }
      expect(board.embeds[0].description).toMatch(/Final: (Alice|Bob) wins/);
    } finally {
      run.blitz.kill("SIGTERM");
      await run.blitz.exited;
    }
  });

  it("applies on start a shot clock that expired while Blitz was down", async () => {
    const dataDir = await tempDir();
    let run = {
      ...await startAgainst(sandbox, dataDir, { SHOT_CLOCK_SECONDS: "3" }),
      client: sandbox.client,
    };
    const state = await run.client.state();
    const alice = state.users.find((u) => u.username === "alice")!;
    await run.client.waitForResponse(
      (await run.client.command({ userId: alice.id, name: "blitz", subcommand: "play" })).id,
    );
    run.blitz.kill("SIGKILL");
    await run.blitz.exited;
    const read = () => {
      const db = new DatabaseSync(join(dataDir, "blitz.db"), { readOnly: true });
      const row = db.prepare("SELECT picks, deadline FROM games").get() as {
        picks: string;
        deadline: number;
      };
      db.close();
      return row;
    };
    const before = read();
    expect(before.picks).toBe("");
    // Wait (bounded) until the stored deadline has passed while Blitz is down.
    while (Date.now() <= before.deadline) await new Promise((r) => setTimeout(r, 100));
    run = {
      ...await startAgainst(sandbox, dataDir, { SHOT_CLOCK_SECONDS: "3" }),
      client: sandbox.client,
    };
    try {
      await run.blitz.waitForStderr(/Bot is ready!/);
      const after = read();
      expect(after.picks.length).toBeGreaterThanOrEqual(1); // the missed possession was resolved on start
    } finally {
      run.blitz.kill("SIGTERM");
      await run.blitz.exited;
    }
  });
});
