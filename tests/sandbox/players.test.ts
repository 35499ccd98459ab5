import { describe, expect, it } from "vitest";
import {
  isOpenChallengeFrom,
  playsIn,
  readBoard,
  readChallengeFor,
} from "../../src/sandbox/player_view.ts";
import { playerUser } from "../../src/sandbox/players.ts";
import { createRandom, deriveSeed } from "../../src/sandbox/random.ts";
import { type SandboxMessage, startSandbox } from "../../src/sandbox/mod.ts";

const row = (...ids: string[]) => ({
  type: 1,
  components: ids.map((id) => ({ type: 2, style: 1, label: id, custom_id: id })),
});

function message(partial: Partial<SandboxMessage>): SandboxMessage {
  return {
    id: "1",
    channel_id: "2",
    author: { id: "3", username: "Blitz", global_name: null, discriminator: "0", avatar: null },
    content: "",
    timestamp: new Date(0).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
    ephemeral: false,
    visible_to: null,
    ...partial,
  };
}

/** A board as Blitz draws it (src/bot/board.ts). */
const board = message({
  embeds: [{
    title: "🏀 Player 1 vs Player 2",
    description: "**Player 1 3 — 0 Player 2**\nPossession 3 of 4",
    fields: [
      { name: "Last play", value: "Player 1: Three vs Zone — scores, +3" },
      {
        name: "On the floor",
        value: "🏀 Player 2 on offense, 🛡️ Player 1 on defense · shot clock <t:9:R>\n" +
          "Waiting for: Player 1 and Player 2",
      },
    ],
    footer: { text: "Game #12 · challenge" },
  }],
  components: [
    row("pick:12:2:drive", "pick:12:2:mid", "pick:12:2:three"),
    row("pick:12:2:man", "pick:12:2:zone", "pick:12:2:press"),
  ],
});

describe("what a simulated player reads", () => {
  it("reads a board: game, possession, who is on offense, whom it waits for, both rows", () => {
    expect(readBoard(board)).toEqual({
      messageId: "1",
      gameId: "12",
      possession: 2,
      home: "Player 1",
      away: "Player 2",
      onOffense: "Player 2",
      waitingFor: ["Player 1", "Player 2"],
      offense: ["pick:12:2:drive", "pick:12:2:mid", "pick:12:2:three"],
      defense: ["pick:12:2:man", "pick:12:2:zone", "pick:12:2:press"],
      active: true,
    });
    expect(playsIn(readBoard(board)!, "Player 2")).toBe(true);
    expect(playsIn(readBoard(board)!, "Player 3")).toBe(false);
  });

  it("reads a finished board as inactive and waiting for nobody", () => {
    const over = readBoard({
      ...board,
      embeds: [{ ...board.embeds[0], fields: [], footer: { text: "Game #12 · challenge" } }],
      components: [],
    });
    expect(over).toMatchObject({ gameId: "12", active: false, waitingFor: [] });
  });

  it("ignores messages that are not boards", () => {
    expect(readBoard(message({ content: "Pong!" }))).toBeUndefined();
  });

  it("reads a challenge addressed to it, and only to it", () => {
    const challenge = message({
      content: `<@${
        playerUser(2).id
      }>, Player 1 challenges you to Basketball Blitz (3 possessions each).`,
      components: [row("accept:12", "decline:12")],
    });
    expect(readChallengeFor(challenge, playerUser(2).id)).toEqual({
      messageId: "1",
      gameId: "12",
      accept: "accept:12",
      decline: "decline:12",
    });
    expect(readChallengeFor(challenge, playerUser(3).id)).toBeUndefined();
    expect(isOpenChallengeFrom(challenge, "Player 1")).toBe(true);
    expect(isOpenChallengeFrom({ ...challenge, components: [] }, "Player 1")).toBe(false);
  });
});

describe("players' identities and choices", () => {
  it("are the same users on every run", () => {
    expect(playerUser(3)).toMatchObject({ username: "player3", global_name: "Player 3" });
    expect(playerUser(3).id).toBe(playerUser(3).id);
    expect(playerUser(3).id).not.toBe(playerUser(4).id);
  });

  it("make the same random choices for the same seed, and different ones for another", () => {
    const draw = (seed: number) => {
      const random = createRandom(deriveSeed(seed, "player1"));
      return Array.from({ length: 8 }, () => random.int(0, 1000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const random = createRandom(1);
    for (let i = 0; i < 100; i++) {
      const n = random.int(2, 4);
      expect(n >= 2 && n <= 4).toBe(true);
    }
  });
});

describe("the players' control route", () => {
  it("refuses unknown and out-of-range options with 400, and a count past the maximum", async () => {
    const sandbox = await startSandbox();
    try {
      const bad = async (count: number, options: Record<string, unknown>) =>
        ((await sandbox.client.startPlayers(count, options as never).catch((e) => e)) as Error)
          .message;
      expect(await bad(2, { thinkMs: [500, 100] })).toMatch(/"thinkMs" must be \[min, max\]/);
      expect(await bad(2, { forfeitChance: 2 })).toMatch(/"forfeitChance" must be a number/);
      expect(await bad(2, { mood: "grumpy" })).toMatch(/Unknown player option "mood"/);
      expect(await bad(501, {})).toMatch(/"count" must be a whole number from 0 to 500/);
      expect((await sandbox.client.players()).players).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it("starts, scales and stops players, who wait while no bot is connected", async () => {
    const sandbox = await startSandbox();
    try {
      expect(await sandbox.client.startPlayers(3, { seed: 5 })).toMatchObject({
        running: true,
        players: 3,
        channelId: sandbox.arenaChannelId,
      });
      expect((await sandbox.client.scalePlayers(1)).players).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopped = await sandbox.client.stopPlayers();
      expect(stopped).toMatchObject({ running: false, commands: 0, clicks: 0, errors: 0 });
    } finally {
      await sandbox.close();
    }
  });
});
