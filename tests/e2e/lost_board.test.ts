/**
 * A game saved whose board never reached Discord (the reply failed, or the bot stopped between
 * the two): the player's next /blitz play shows that game's board instead of refusing a new
 * game because of one nobody can see or click.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import {
  type BlitzUnderTest,
  eventually,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { pickOnBoard, readMessage } from "../_helpers/game_driver.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("a game whose board was never posted", () => {
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest;
  let dataDir: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    dataDir = await tempDir();
    blitz = await startBlitzAgainst(sandbox, dataDir);
  });
  afterAll(async () => {
    await stopBlitz(blitz.proc);
    await sandbox.close();
  });

  /** Alice's open game in the store: its id and board message id. */
  const openGame = () => {
    const db = new DatabaseSync(join(dataDir, "blitz.db"), { readOnly: true });
    try {
      return db.prepare(
        "SELECT id, message_id FROM games WHERE status = 'active' AND home_id = ?",
      ).get(sandbox.users[0]!.id) as { id: number; message_id: string | null } | undefined;
    } finally {
      db.close();
    }
  };

  it("is shown again by the player's next /blitz play, and plays on", async () => {
    const alice = sandbox.users[0]!;
    // Every answer to an interaction fails (500), retries included: the game is saved, its
    // board never shown.
    const fault = await sandbox.client.serverErrors({ route: "/interactions", durationMs: 60_000 });
    const lost = await sandbox.client.command({
      userId: alice.id,
      name: "blitz",
      subcommand: "play",
    });
    expect((await sandbox.client.waitForResponse(lost.id, 10_000)).status).toBe("failed");
    const saved = openGame();
    expect(saved?.message_id).toBeNull();
    await sandbox.client.endFault(fault.id);

    const again = await sandbox.client.waitForResponse(
      (await sandbox.client.command({ userId: alice.id, name: "blitz", subcommand: "play" })).id,
    );
    expect(again.status).toBe("answered");
    expect(again.callback?.data?.flags ?? 0).toBe(0); // the board, public; not a refusal
    const boardId = again.original!.id;
    const board = await readMessage(sandbox.client, sandbox.channelId, boardId);
    expect(board.embeds?.[0]?.title).toBe("🏀 Alice vs The House");
    expect(JSON.stringify(board.components)).toContain(`"pick:${saved!.id}:`); // that game's
    // Stored once Discord's answer to the reply named the message.
    await eventually(() => openGame()?.message_id ?? undefined, "the board's id in the store");
    expect(openGame()).toEqual({ id: saved!.id, message_id: boardId });

    // The board works: a pick is taken, and a further /blitz play refuses as usual.
    expect((await pickOnBoard(sandbox.client, board, alice)).status).toBe("answered");
    const refused = await sandbox.client.waitForResponse(
      (await sandbox.client.command({ userId: alice.id, name: "blitz", subcommand: "play" })).id,
    );
    expect(refused.callback?.data?.flags).toBe(64);
    expect(refused.callback?.data?.content).toContain(`#${saved!.id}`);
  });
});
