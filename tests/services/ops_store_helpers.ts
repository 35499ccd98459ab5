/** Seeds games and players straight into a store, for the maintenance and report tests. */
import { createGamesRepo, type GameRow } from "../../src/store/games_repo.ts";
import type { Store } from "../../src/store/store.ts";

/** Adds a finished (or open) game between `home` and `away` (null: solo). */
export function seedGame(
  store: Store,
  game: {
    home: string;
    away?: string | null;
    status: GameRow["status"];
    createdAt: number;
    finishedAt?: number;
    winner?: "home" | "away" | null;
    picks?: string;
  },
): number {
  const repo = createGamesRepo(store);
  repo.touchPlayer(game.home, game.home[0]!.toUpperCase() + game.home.slice(1), game.createdAt);
  if (game.away) {
    repo.touchPlayer(game.away, game.away[0]!.toUpperCase() + game.away.slice(1), game.createdAt);
  }
  const row = repo.insertGame({
    guild_id: "g1",
    channel_id: "c1",
    mode: game.away ? "challenge" : "solo",
    status: game.finishedAt ? "active" : game.status,
    home_id: game.home,
    away_id: game.away ?? null,
    seed: 1,
    possessions: 8,
    shot_clock_ms: 30_000,
    deadline: null,
  }, game.createdAt);
  if (game.picks) repo.updateGame(row.id, { picks: game.picks }, game.createdAt);
  if (game.finishedAt) {
    const won = (side: "home" | "away") => game.winner === side;
    repo.finishGame(
      row.id,
      { status: game.status, winner: game.winner ?? null, home_score: 10, away_score: 8 },
      [
        {
          playerId: game.home,
          rating: 1000,
          won: won("home"),
          lost: won("away"),
          pointsFor: 10,
          pointsAgainst: 8,
        },
        ...(game.away
          ? [{
            playerId: game.away,
            rating: 1000,
            won: won("away"),
            lost: won("home"),
            pointsFor: 8,
            pointsAgainst: 10,
          }]
          : []),
      ],
      game.finishedAt,
    );
  }
  return row.id;
}
