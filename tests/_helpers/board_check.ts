/**
 * Compares every game's board message in the sandbox with the game as stored: the board must
 * show what Blitz would draw from the database now (score, play-by-play, who is awaited,
 * buttons of the current possession, or the final result).
 */
import { DatabaseSync } from "node:sqlite";
import type { Sandbox, SandboxMessage } from "../../src/sandbox/mod.ts";
import { createGameSetup, decodeRecords, replayGame } from "../../src/game/mod.ts";
import type { GameRow } from "../../src/store/games_repo.ts";
import type { GameService, LiveGame } from "../../src/services/games.ts";
import { renderGameMessage } from "../../src/bot/board_updater.ts";

/** One game whose board does not show the stored game. */
export interface StaleBoard {
  gameId: number;
  status: string;
  /** "no board": no message was ever posted for it. */
  problem: string;
}

function liveGame(row: GameRow): LiveGame {
  const setup = createGameSetup({
    seed: row.seed,
    mode: row.mode,
    possessionsPerSide: row.possessions,
  });
  const state = replayGame(setup, decodeRecords(row.picks), row.forfeited_by ?? undefined);
  return { row, setup, state };
}

/** What a user sees of a message, in a form two messages can be compared by. */
function visible(message: {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
}): string {
  // deno-lint-ignore no-explicit-any
  const embeds = (message.embeds ?? []).map((e: any) => ({
    title: e.title,
    description: e.description,
    fields: (e.fields ?? []).map((f: { name: string; value: string }) => [f.name, f.value]),
  }));
  const ids = JSON.stringify(message.components ?? []).match(/"custom_id":"[^"]*"/g) ?? [];
  return JSON.stringify({ content: message.content ?? "", embeds, ids });
}

/** The games of `dbPath` whose boards in the sandbox's channel differ from the stored game. */
export async function staleBoards(sandbox: Sandbox, dbPath: string): Promise<StaleBoard[]> {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  let rows: GameRow[];
  let names: Map<string, string>;
  try {
    rows = db.prepare("SELECT * FROM games ORDER BY id").all() as unknown as GameRow[];
    names = new Map(
      (db.prepare("SELECT id, name FROM players").all() as { id: string; name: string }[]).map((
        p,
      ) => [p.id, p.name]),
    );
  } finally {
    db.close();
  }
  const games = {
    playerName: (id: string) => names.get(id) ?? "Unknown player",
  } as unknown as GameService;
  const messages = await sandbox.client.messages(sandbox.channelId);
  const byId = new Map<string, SandboxMessage>(messages.map((m) => [m.id, m]));
  const stale: StaleBoard[] = [];
  for (const row of rows) {
    const board = (row.message_id ? byId.get(row.message_id) : undefined) ??
      messages.find((m) =>
        !m.ephemeral &&
        new RegExp(`"(?:pick|accept|decline):${row.id}[:"]`).test(JSON.stringify(m.components))
      );
    if (!board) {
      stale.push({ gameId: row.id, status: row.status, problem: "no board" });
      continue;
    }
    const expected = visible(renderGameMessage(liveGame(row), games));
    const shown = visible(board);
    if (expected !== shown) {
      stale.push({
        gameId: row.id,
        status: row.status,
        problem: `shows ${shown.slice(0, 300)}; stored game is ${expected.slice(0, 300)}`,
      });
    }
  }
  return stale;
}
