/**
 * Storage: database bytes per completed 8-possession game after VACUUM, and how long the
 * game service takes to load open games on start.
 */
import { join } from "node:path";
import { openStore } from "../src/store/mod.ts";
import { createGamesRepo } from "../src/store/games_repo.ts";
import { createGameService } from "../src/services/games.ts";
import { type Bench, benchDir, type Figure, round } from "./lib.ts";

const PLAYS = { offense: ["drive", "mid", "three"], defense: ["man", "zone", "press"] } as const;

/** Plays `count` full challenge games between rotating players; returns the store path. */
function playGames(path: string, count: number, players: number) {
  const store = openStore(path);
  const repo = createGamesRepo(store);
  let now = Date.UTC(2026, 0, 1);
  let seed = 1;
  const games = createGameService({
    repo,
    clock: { now: () => now },
    timers: { setTimeout: () => 0, clearTimeout: () => {} },
    shotClockMs: () => 30_000,
    newSeed: () => seed++ >>> 0,
  });
  const user = (i: number) => ({
    id: String(100000000000000000n + BigInt(i % players)),
    name: `player${i % players}`,
  });
  for (let i = 0; i < count; i++) {
    const home = user(2 * i), away = user(2 * i + 1);
    const g = games.challenge({ challenger: home, opponent: away, guildId: "1", channelId: "2" });
    let game = games.respond({ gameId: g.row.id, player: away, accept: true });
    let turn = 0;
    while (game.row.status === "active") {
      const k = game.state.k;
      const homeOnOffense = game.state.offense === "home";
      const pickFor = (side: "home" | "away") =>
        (side === "home") === homeOnOffense
          ? PLAYS.offense[(k + i) % 3]!
          : PLAYS.defense[(k * 7 + i) % 3]!;
      games.pick({ gameId: g.row.id, k, play: pickFor("home"), player: home });
      game = games.pick({ gameId: g.row.id, k, play: pickFor("away"), player: away }).game;
      now += 1000;
      if (++turn > 200) throw new Error("game did not end");
    }
  }
  return store;
}

/** Database bytes per completed game after VACUUM. */
export const storageBench: Bench = {
  name: "storage",
  description: "database bytes per completed 8-possession game, after VACUUM",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    try {
      const emptyPath = join(dir, "empty.db");
      const empty = openStore(emptyPath);
      empty.db.exec("VACUUM");
      empty.close();
      const emptyBytes = (await Deno.stat(emptyPath)).size;
      const games = 10_000;
      const started = performance.now();
      const store = playGames(join(dir, "games.db"), games, 2_000);
      const playMs = performance.now() - started;
      store.db.exec("VACUUM");
      store.close();
      const bytes = (await Deno.stat(join(dir, "games.db"))).size;
      const perGame = (bytes - emptyBytes) / games;
      return [
        {
          name: "bytes per completed game",
          value: round(perGame, 0),
          unit: "B",
          target: "< 4096",
          ok: perGame < 4096,
        },
        {
          name: "games played in-process",
          value: games,
          unit: "games",
          note: `${round(playMs / games, 3)} ms per game`,
        },
        { name: "database size", value: round(bytes / 1024 / 1024, 2), unit: "MiB" },
      ];
    } finally {
      await cleanup();
    }
  },
};

/** Time to load N open games (replay from stored picks) as the service does on start. */
export const loadBench: Bench = {
  name: "load",
  description: "time to load 10,000 stored open games on start",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    try {
      const path = join(dir, "blitz.db");
      const store = openStore(path);
      const repo = createGamesRepo(store);
      const now = Date.now();
      store.transaction(() => {
        for (let i = 0; i < 20_000; i++) {
          repo.touchPlayer(String(200000000000000000n + BigInt(i)), `p${i}`, now);
        }
        for (let i = 0; i < 10_000; i++) {
          const row = repo.insertGame({
            guild_id: "1",
            channel_id: "2",
            mode: "challenge",
            status: "active",
            home_id: String(200000000000000000n + BigInt(2 * i)),
            away_id: String(200000000000000000n + BigInt(2 * i + 1)),
            seed: i,
            possessions: 8,
            shot_clock_ms: 30_000,
            deadline: now + 3_600_000,
          }, now);
          repo.updateGame(row.id, { picks: "0123456789ab" }, now);
        }
      });
      store.close();
      const reopened = openStore(path);
      const games = createGameService({
        repo: createGamesRepo(reopened),
        clock: { now: () => now },
        timers: { setTimeout: () => 0, clearTimeout: () => {} },
        shotClockMs: () => 30_000,
      });
      const started = performance.now();
      const loaded = games.load();
      const ms = performance.now() - started;
      reopened.close();
      return [
        { name: "open games loaded", value: loaded, unit: "games" },
        { name: "load time", value: round(ms, 1), unit: "ms", target: "< 1000", ok: ms < 1000 },
      ];
    } finally {
      await cleanup();
    }
  },
};
