import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import { createGamesRepo } from "../../src/store/games_repo.ts";
import { createGameService, type GameService } from "../../src/services/games.ts";
import { renderGameMessage, showsLatest } from "../../src/bot/board_updater.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const alice = { id: "100000000000000001", name: "alice" };

async function soloGame() {
  const path = join(await tempDir(), "blitz.db");
  const time = fakeTime();
  const open = () =>
    createGameService({
      repo: createGamesRepo(openStore(path)),
      clock: time,
      timers: time,
      shotClockMs: () => 30_000,
      newSeed: () => 12345,
    });
  const service = open();
  const game = service.startSolo({ player: alice, guildId: "g1", channelId: "c1" });
  return { service, game, open };
}

/** The service, counting how often a board is drawn (each drawing asks for the players' names). */
function counting(service: GameService) {
  const counter = { names: 0 };
  const games: GameService = {
    ...service,
    playerName: (id) => {
      counter.names++;
      return service.playerName(id);
    },
  };
  return { games, counter };
}

describe("showsLatest: whether a board just sent still shows the game", () => {
  it("is true for the game it was drawn from, without drawing it again", async () => {
    const { service, game } = await soloGame();
    const shown = renderGameMessage(game, service);
    const { games, counter } = counting(service);
    expect(showsLatest(games, game.row.id, shown, game)).toBe(true);
    expect(counter.names).toBe(0);
  });

  it("is false once a pick moved the game on, so the updater draws it again", async () => {
    const { service, game } = await soloGame();
    const shown = renderGameMessage(game, service);
    const moved = service.pick({ gameId: game.row.id, k: 0, play: "three", player: alice }).game;
    expect(moved.state.k).toBe(1);
    expect(showsLatest(service, game.row.id, shown, game)).toBe(false);
    // The board drawn from the moved game is the latest one.
    expect(showsLatest(service, game.row.id, renderGameMessage(moved, service), moved)).toBe(true);
  });

  it("compares what is drawn when the service holds another copy of the same game", async () => {
    const { service, game, open } = await soloGame();
    const shown = renderGameMessage(game, service);
    const reopened = open(); // loads the same game from the database: a new object
    reopened.load();
    expect(reopened.get(game.row.id)).not.toBe(game);
    expect(showsLatest(reopened, game.row.id, shown, game)).toBe(true);
    expect(showsLatest(reopened, game.row.id, { content: "an older board" }, game)).toBe(false);
  });
});
