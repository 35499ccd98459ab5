/**
 * The SQL behind the reports and maintenance: game figures over a period, the top players,
 * and archiving old games (keep the result, drop the play-by-play).
 */
import type { Store } from "./store.ts";

/** Game figures over a period [fromMs, toMs). */
export interface GameFigures {
  /** Games started (solo games, and challenges that were accepted). */
  started: number;
  /** Games that ended with a result (completed). */
  completed: number;
  forfeited: number;
  abandoned: number;
  /** Distinct players in games started or finished in the period. */
  activePlayers: number;
  /** Most wins in the period. */
  topPlayers: { id: string; name: string; wins: number; games: number; rating: number }[];
}

/** The reports repository. */
export interface ReportsRepo {
  gameFigures(fromMs: number, toMs: number, topLimit?: number): GameFigures;
  /**
   * Archives games finished before `beforeMs`: `picks` emptied, `archived = 1`. The score,
   * winner and players' records stay. Returns how many games were archived.
   */
  archiveGamesBefore(beforeMs: number): number;
  /** The best players by rating (those who finished a game). */
  topRated(
    limit: number,
  ): { id: string; name: string; rating: number; wins: number; losses: number }[];
  /** Rows per table, for `/admin health` and the dashboard. */
  recordCounts(): { players: number; games: number; openGames: number; archivedGames: number };
}

const PLAYED = "status IN ('active', 'completed', 'abandoned', 'forfeited')";

/** Creates the repository over a store. */
export function createReportsRepo(store: Store): ReportsRepo {
  return {
    gameFigures(fromMs, toMs, topLimit = 5) {
      const counts = store.prepare(
        `SELECT
           SUM(created_at >= ?1 AND created_at < ?2 AND ${PLAYED}) AS started,
           SUM(finished_at >= ?1 AND finished_at < ?2 AND status = 'completed') AS completed,
           SUM(finished_at >= ?1 AND finished_at < ?2 AND status = 'forfeited') AS forfeited,
           SUM(finished_at >= ?1 AND finished_at < ?2 AND status = 'abandoned') AS abandoned
         FROM games`,
      ).get(fromMs, toMs) as Record<string, number | null>;
      const players = store.prepare(
        `SELECT count(DISTINCT id) AS n FROM (
           SELECT home_id AS id FROM games WHERE ${PLAYED} AND ((created_at >= ?1 AND created_at < ?2) OR (finished_at >= ?1 AND finished_at < ?2))
           UNION
           SELECT away_id AS id FROM games WHERE away_id IS NOT NULL AND ${PLAYED} AND ((created_at >= ?1 AND created_at < ?2) OR (finished_at >= ?1 AND finished_at < ?2))
         )`,
      ).get(fromMs, toMs) as { n: number };
      const top = store.prepare(
        `SELECT p.id, p.name, p.rating, SUM(r.won) AS wins, count(*) AS games FROM (
           SELECT home_id AS id, winner = 'home' AS won FROM games
             WHERE finished_at >= ?1 AND finished_at < ?2 AND status IN ('completed', 'forfeited')
           UNION ALL
           SELECT away_id AS id, winner = 'away' AS won FROM games
             WHERE away_id IS NOT NULL AND finished_at >= ?1 AND finished_at < ?2 AND status IN ('completed', 'forfeited')
         ) AS r JOIN players p ON p.id = r.id
         GROUP BY p.id HAVING wins > 0 ORDER BY wins DESC, games ASC, p.rating DESC, p.id LIMIT ?3`,
      ).all(fromMs, toMs, topLimit) as {
        id: string;
        name: string;
        rating: number;
        wins: number;
        games: number;
      }[];
      return {
        started: Number(counts.started ?? 0),
        completed: Number(counts.completed ?? 0),
        forfeited: Number(counts.forfeited ?? 0),
        abandoned: Number(counts.abandoned ?? 0),
        activePlayers: Number(players.n),
        topPlayers: top.map((t) => ({
          id: t.id,
          name: t.name,
          wins: Number(t.wins),
          games: Number(t.games),
          rating: Number(t.rating),
        })),
      };
    },
    archiveGamesBefore(beforeMs) {
      const result = store.prepare(
        `UPDATE games SET picks = '', pending_offense = NULL, pending_defense = NULL, archived = 1
         WHERE archived = 0 AND finished_at IS NOT NULL AND finished_at < ?
           AND status NOT IN ('pending', 'active')`,
      ).run(beforeMs);
      return Number(result.changes);
    },
    topRated(limit) {
      return (store.prepare(
        "SELECT id, name, rating, wins, losses FROM players WHERE games_played > 0 ORDER BY rating DESC, id LIMIT ?",
      ).all(limit) as { id: string; name: string; rating: number; wins: number; losses: number }[])
        .map((p) => ({
          id: p.id,
          name: p.name,
          rating: Number(p.rating),
          wins: Number(p.wins),
          losses: Number(p.losses),
        }));
    },
    recordCounts() {
      const row = store.prepare(
        `SELECT (SELECT count(*) FROM players) AS players, count(*) AS games,
           SUM(status IN ('pending', 'active')) AS open, SUM(archived = 1) AS archived FROM games`,
      ).get() as { players: number; games: number; open: number | null; archived: number | null };
      return {
        players: Number(row.players),
        games: Number(row.games),
        openGames: Number(row.open ?? 0),
        archivedGames: Number(row.archived ?? 0),
      };
    },
  };
}
