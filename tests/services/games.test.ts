import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import { createGamesRepo } from "../../src/store/games_repo.ts";
import {
  createGameService,
  type GameServiceOptions,
  type LiveGame,
} from "../../src/services/games.ts";
import { GameRuleError } from "../../src/services/game_errors.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const alice = { id: "100000000000000001", name: "alice" };
const bob = { id: "100000000000000002", name: "bob" };
const carol = { id: "100000000000000003", name: "carol" };
const SHOT_CLOCK = 30_000;

async function setup(extra: Partial<GameServiceOptions> = {}) {
  const path = join(await tempDir(), "blitz.db");
  const time = fakeTime();
  const open = () => {
    const store = openStore(path);
    const repo = createGamesRepo(store);
    const updates: [LiveGame, string][] = [];
    const service = createGameService({
      repo,
      clock: time,
      timers: time,
      shotClockMs: () => SHOT_CLOCK,
      newSeed: () => 12345,
      onUpdate: (game, cause) => updates.push([game, cause]),
      ...extra,
    });
    return { store, repo, service, updates };
  };
  return { time, open, path };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof GameRuleError) return error.reason;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** Plays the side's role for the current possession with a fixed choice. */
function playFor(game: LiveGame, playerId: string): string {
  const side = game.row.home_id === playerId ? "home" : "away";
  return game.state.offense === side ? "three" : "zone";
}

describe("game service", () => {
  it("plays a solo game against the House to a final score and records it", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    let game = service.startSolo({ player: alice, guildId: "g1", channelId: "c1" });
    expect(game.state.offense).toBe("home");
    let turns = 0;
    while (game.row.status === "active") {
      game = service.pick({
        gameId: game.row.id,
        k: game.state.k,
        play: playFor(game, alice.id),
        player: alice,
      }).game;
      turns++;
      expect(turns).toBeLessThan(100);
    }
    expect(["completed"]).toContain(game.row.status);
    expect(game.state.k).toBeGreaterThanOrEqual(16);
    const player = repo.getPlayer(alice.id)!;
    expect(player.games_played).toBe(1);
    expect(player.rating).toBe(1000); // solo games leave the rating unchanged
    expect(player.points_for).toBe(game.state.scores.home);
    expect(service.activeCount()).toBe(0);
    store.close();
  });

  it("plays a challenge between two users and moves their Elo ratings by the same amount", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    let game = service.challenge({
      challenger: alice,
      opponent: bob,
      possessions: 2,
      guildId: "g1",
      channelId: "c1",
    });
    expect(game.row.status).toBe("pending");
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 0, play: "three", player: alice })))
      .toBe("not_accepted");
    expect(refusal(() => service.respond({ gameId: game.row.id, player: carol, accept: true })))
      .toBe("not_challenged");
    game = service.respond({ gameId: game.row.id, player: bob, accept: true });
    expect(game.row.status).toBe("active");
    while (game.row.status === "active") {
      const first = service.pick({
        gameId: game.row.id,
        k: game.state.k,
        play: playFor(game, alice.id),
        player: alice,
      });
      expect(first.resolved).toBeUndefined();
      game = service.pick({
        gameId: game.row.id,
        k: game.state.k,
        play: playFor(game, bob.id),
        player: bob,
      }).game;
    }
    expect(game.row.status).toBe("completed");
    const a = repo.getPlayer(alice.id)!;
    const b = repo.getPlayer(bob.id)!;
    expect(a.rating + b.rating).toBe(2000);
    expect(Math.abs(a.rating - 1000)).toBe(16);
    expect(a.wins + b.wins).toBe(1);
    expect(repo.leaderboard({ guildId: "g1" }, 10).map((p) => p.id)).toHaveLength(2);
    store.close();
  });

  it("keeps every game in memory exactly as a restart would rebuild it from the store", async () => {
    const { open, time } = await setup();
    const first = open();
    first.service.start();
    const rebuilt = (id: number) => {
      const fresh = open();
      fresh.service.load();
      const game = fresh.service.get(id);
      fresh.store.close();
      return game;
    };
    const same = (game: LiveGame) => expect(game).toEqual(rebuilt(game.row.id));
    let game = first.service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    game = first.service.respond({ gameId: game.row.id, player: bob, accept: true });
    same(game);
    const moves: LiveGame[] = [];
    for (let turn = 0; game.row.status === "active"; turn++) {
      expect(turn).toBeLessThan(100);
      time.advance(1000);
      // Alice picks; on every third possession Bob lets the shot clock run out.
      game = first.service.pick({
        gameId: game.row.id,
        k: game.state.k,
        play: playFor(game, alice.id),
        player: alice,
      }).game;
      moves.push(game);
      same(game);
      if (turn % 3 === 2) time.advance(SHOT_CLOCK);
      else {
        game = first.service.pick({
          gameId: game.row.id,
          k: game.state.k,
          play: playFor(game, bob.id),
          player: bob,
        }).game;
      }
      game = first.service.get(game.row.id)!;
      moves.push(game);
      same(game);
    }
    expect(game.row.status).toBe("completed");
    expect(game.row.finished_at).toBe(time.now());
    expect(moves.some((m) => m.row.pending_offense !== null)).toBe(true);
    expect(first.service.activeCount()).toBe(0);
    first.service.stop();
    first.store.close();

    const solo = open();
    let mine = solo.service.startSolo({ player: carol, guildId: null, channelId: "c2" });
    while (mine.row.status === "active") {
      time.advance(500);
      mine = solo.service.pick({
        gameId: mine.row.id,
        k: mine.state.k,
        play: playFor(mine, carol.id),
        player: carol,
      }).game;
      same(mine);
    }
    solo.store.close();
  });

  it("refuses misuse with a reason and changes nothing", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    service.respond({ gameId: game.row.id, player: bob, accept: true });
    const before = JSON.stringify(repo.getGame(game.row.id));
    expect(
      refusal(() =>
        service.challenge({ challenger: alice, opponent: alice, guildId: "g1", channelId: "c1" })
      ),
    )
      .toBe("self_challenge");
    expect(
      refusal(() =>
        service.challenge({
          challenger: carol,
          opponent: { id: "9", name: "Bot", bot: true },
          guildId: "g1",
          channelId: "c1",
        })
      ),
    ).toBe("bot_opponent");
    expect(refusal(() => service.startSolo({ player: alice, guildId: "g1", channelId: "c1" })))
      .toBe("already_in_game");
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 0, play: "three", player: carol })))
      .toBe("not_your_game");
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 0, play: "zone", player: alice })))
      .toBe("wrong_role");
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 0, play: "three", player: bob })))
      .toBe("wrong_role");
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 5, play: "three", player: alice })))
      .toBe("stale_button");
    expect(JSON.stringify(repo.getGame(game.row.id))).toBe(before);
    service.pick({ gameId: game.row.id, k: 0, play: "three", player: alice });
    const afterPick = JSON.stringify(repo.getGame(game.row.id));
    expect(refusal(() => service.pick({ gameId: game.row.id, k: 0, play: "drive", player: alice })))
      .toBe("already_picked");
    expect(JSON.stringify(repo.getGame(game.row.id))).toBe(afterPick);
    store.close();
  });

  it("commits a pick before returning it", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    service.respond({ gameId: game.row.id, player: bob, accept: true });
    service.pick({ gameId: game.row.id, k: 0, play: "drive", player: alice });
    expect(repo.getGame(game.row.id)!.pending_offense).toBe("drive");
    store.close();
  });

  it("applies the shot clock: a missing offense pick is a violation and the defense plays Man", async () => {
    const { open, time } = await setup();
    const { service, store, updates } = open();
    service.start();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    service.respond({ gameId: game.row.id, player: bob, accept: true });
    time.advance(SHOT_CLOCK - 1);
    expect(service.get(game.row.id)!.state.k).toBe(0);
    time.advance(1);
    const after = service.get(game.row.id)!;
    expect(after.state.k).toBe(1);
    expect(after.state.log[0]).toMatchObject({
      outcome: "violation",
      defensePick: "man",
      defenseDefaulted: true,
    });
    expect(updates.at(-1)?.[1]).toBe("shot_clock");
    service.stop();
    store.close();
  });

  it("abandons a challenge after three possessions in a row with both shot clocks expired", async () => {
    const { open, time } = await setup();
    const { service, store } = open();
    service.start();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    service.respond({ gameId: game.row.id, player: bob, accept: true });
    time.advance(SHOT_CLOCK * 3);
    expect(service.get(game.row.id)!.row.status).toBe("abandoned");
    expect(service.activeCount()).toBe(0);
    service.stop();
    store.close();
  });

  it("expires an unanswered challenge after 5 minutes", async () => {
    const { open, time } = await setup();
    const { service, store, updates } = open();
    service.start();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    time.advance(5 * 60_000);
    expect(service.get(game.row.id)!.row.status).toBe("expired");
    expect(updates.at(-1)?.[1]).toBe("challenge_expired");
    expect(service.startSolo({ player: alice, guildId: "g1", channelId: "c1" }).row.status).toBe(
      "active",
    );
    service.stop();
    store.close();
  });

  it("resumes after a restart from the stored deadline, not a fresh one", async () => {
    const { open, time } = await setup();
    const first = open();
    first.service.start();
    const game = first.service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    first.service.respond({ gameId: game.row.id, player: bob, accept: true });
    first.service.pick({ gameId: game.row.id, k: 0, play: "mid", player: alice });
    time.advance(20_000);
    first.service.stop();
    first.store.close();

    const second = open();
    expect(second.service.load()).toBe(1);
    second.service.start();
    const resumed = second.service.get(game.row.id)!;
    expect(resumed.row.pending_offense).toBe("mid");
    time.advance(10_000); // the remaining 10 s of the stored 30 s shot clock
    expect(second.service.get(game.row.id)!.state.log[0]).toMatchObject({
      offensePick: "mid",
      defensePick: "man",
    });
    second.service.stop();
    second.store.close();
  });

  it("applies on start a shot clock that expired while Blitz was down", async () => {
    const { open, time } = await setup();
    const first = open();
    const game = first.service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    first.service.respond({ gameId: game.row.id, player: bob, accept: true });
    first.store.close();
    time.advance(SHOT_CLOCK + 5_000); // down for longer than the shot clock
    const second = open();
    second.service.load();
    second.service.start();
    expect(second.service.get(game.row.id)!.state.log[0]).toMatchObject({ outcome: "violation" });
    expect(second.updates.map(([, cause]) => cause)).toEqual(["shot_clock"]);
    second.service.stop();
    second.store.close();
  });

  it("forfeit ends the game as a loss for the forfeiter", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    const game = service.challenge({
      challenger: alice,
      opponent: bob,
      guildId: "g1",
      channelId: "c1",
    });
    service.respond({ gameId: game.row.id, player: bob, accept: true });
    const ended = service.forfeit(bob.id);
    expect(ended.row.status).toBe("forfeited");
    expect(ended.row.winner).toBe("home");
    expect(repo.getPlayer(bob.id)!.losses).toBe(1);
    expect(repo.getPlayer(alice.id)!.wins).toBe(1);
    expect(refusal(() => service.forfeit(bob.id))).toBe("no_game");
    store.close();
  });
});

describe("player names", () => {
  it("names a player as they last played, reading the store once, and anew after a restore", async () => {
    const { open } = await setup();
    const { service, repo, store } = open();
    let reads = 0;
    const getPlayer = repo.getPlayer;
    repo.getPlayer = (id) => {
      reads++;
      return getPlayer(id);
    };
    expect(service.playerName(carol.id)).toBe("Unknown player");
    const game = service.startSolo({ player: alice, guildId: "g1", channelId: "c1" });
    reads = 0;
    for (let i = 0; i < 50; i++) expect(service.playerName(alice.id)).toBe("alice");
    expect(reads).toBe(0);

    // A new display name is used from the next game on, on every board.
    service.forfeit(alice.id);
    service.startSolo({ player: { ...alice, name: "Alice B." }, guildId: "g1", channelId: "c1" });
    expect(service.playerName(alice.id)).toBe("Alice B.");
    expect(repo.getPlayer(alice.id)?.name).toBe("Alice B.");

    // A restore swaps the database under the service: names come from the restored store.
    store.db.prepare("UPDATE players SET name = 'restored alice' WHERE id = ?").run(alice.id);
    service.load();
    expect(service.playerName(alice.id)).toBe("restored alice");
    expect(game.row.home_id).toBe(alice.id);
  });
});
