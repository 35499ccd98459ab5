/**
 * `GET /api/games`: the dashboard's games panel — open games, games completed since local
 * midnight, and the top players by rating.
 *
 * Answer: `{ active: number, completedToday: number, topPlayers: [{ id, name, rating, wins, losses, gamesPlayed }] }`
 */
import type { Hono } from "hono";
import type { ApiRouteGroup } from "./api.ts";
import type { GamesRepo } from "../store/games_repo.ts";

/** What the games route needs. */
export interface GamesApiDeps {
  repo: GamesRepo;
  activeGames: () => number;
  /** Start of today in the configured time zone, ms epoch. */
  startOfToday: () => number;
}

/** The games route group. */
export function createGamesApiGroup(deps: GamesApiDeps): ApiRouteGroup {
  return (api: Hono) => {
    api.get("/games", (c) =>
      c.json({
        active: deps.activeGames(),
        completedToday: deps.repo.finishedSince(deps.startOfToday()),
        topPlayers: deps.repo.leaderboard({}, 5).map((p) => ({
          id: p.id,
          name: p.name,
          rating: p.rating,
          wins: p.wins,
          losses: p.losses,
          gamesPlayed: p.games_played,
        })),
      }));
  };
}

/** Midnight of the day containing `now` in `timeZone`, as ms epoch. */
export function startOfDay(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const sinceMidnight = ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 +
    (now % 1000);
  return now - sinceMidnight;
}
