/**
 * Players and games in SQL. A game is one row: its setup, the encoded records of resolved
 * possessions, the pending picks of the current one, and its deadline. Finishing a game
 * updates the game and both players' records in one transaction.
 */
import type { Store } from "./store.ts";

/** A game row as stored. Times are ms since the epoch. */
export interface GameRow {
  id: number;
  guild_id: string | null;
  channel_id: string | null;
  message_id: string | null;
  mode: "solo" | "challenge";
  status: "pending" | "active" | "completed" | "abandoned" | "forfeited" | "declined" | "expired";
  home_id: string;
  away_id: string | null;
  seed: number;
  possessions: number;
  shot_clock_ms: number;
  picks: string;
  pending_offense: string | null;
  pending_defense: string | null;
  deadline: number | null;
  home_score: number;
  away_score: number;
  winner: "home" | "away" | null;
  forfeited_by: "home" | "away" | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A player row as stored. */
export interface PlayerRow {
  id: string;
  name: string;
  rating: number;
  wins: number;
  losses: number;
  points_for: number;
  points_against: number;
  games_played: number;
  last_seen: number;
}

/** A new game to insert. */
export type NewGame = Pick<
  GameRow,
  | "guild_id"
  | "channel_id"
  | "mode"
  | "status"
  | "home_id"
  | "away_id"
  | "seed"
  | "possessions"
  | "shot_clock_ms"
  | "deadline"
>;

/** What changes in a player's record when a game ends. */
export interface PlayerResult {
  playerId: string;
  rating: number;
  won: boolean;
  lost: boolean;
  pointsFor: number;
  pointsAgainst: number;
}

const OPEN = "status IN ('pending', 'active')";

/** The games and players repository. */
export interface GamesRepo {
  /** Creates the player or refreshes their name and last-seen time. */
  touchPlayer(id: string, name: string, now: number): void;
  getPlayer(id: string): PlayerRow | undefined;
  /** The open (pending or active) game a player is in, if any. */
  openGameOf(playerId: string): GameRow | undefined;
  insertGame(game: NewGame, now: number): GameRow;
  getGame(id: number): GameRow | undefined;
  /** Every pending or active game, oldest first (loaded on start). */
  openGames(): GameRow[];
  /** Open games in one guild, newest first. */
  openGamesInGuild(guildId: string, limit: number): GameRow[];
  /** Saves the changed fields of a game (one statement). */
  updateGame(id: number, fields: Partial<Omit<GameRow, "id">>, now: number): void;
  /** Ends a game and applies the players' results, in one transaction. */
  finishGame(
    id: number,
    fields: Partial<Omit<GameRow, "id">>,
    results: PlayerResult[],
    now: number,
  ): void;
  /** Best players: in one guild (by games played there) or globally. */
  leaderboard(
    scope: { guildId?: string },
    limit: number,
  ): (PlayerRow & { guild_wins?: number; guild_losses?: number })[];
  /** 1-based global rank of a player by rating. */
  rankOf(playerId: string): number | undefined;
  countGames(): { open: number; finished: number };
  /** Games that ended at or after `since` (ms epoch). */
  finishedSince(since: number): number;
}

/** Creates the repository over a store. */
export function createGamesRepo(store: Store): GamesRepo {
  const setClause = (fields: Record<string, unknown>) => {
    const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
    return {
      sql: keys.map((k) => `${k} = ?`).join(", "),
      values: keys.map((k) => fields[k] as string | number | null),
    };
  };
  const update = (id: number, fields: Partial<Omit<GameRow, "id">>, now: number) => {
    const { sql, values } = setClause({ ...fields, updated_at: now });
    store.prepare(`UPDATE games SET ${sql} WHERE id = ?`).run(...values, id);
  };
  return {
    touchPlayer(id, name, now) {
      store.prepare(
        `INSERT INTO players (id, name, last_seen) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`,
      ).run(id, name, now);
    },
    getPlayer: (id) =>
      store.prepare("SELECT * FROM players WHERE id = ?").get(id) as PlayerRow | undefined,
    openGameOf(playerId) {
      return (store.prepare(`SELECT * FROM games WHERE home_id = ? AND ${OPEN} LIMIT 1`).get(
        playerId,
      ) ??
        store.prepare(`SELECT * FROM games WHERE away_id = ? AND ${OPEN} LIMIT 1`).get(playerId)) as
          | GameRow
          | undefined;
    },
    insertGame(game, now) {
      const row = store.prepare(
        `INSERT INTO games (guild_id, channel_id, mode, status, home_id, away_id, seed, possessions, shot_clock_ms,
           deadline, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        game.guild_id,
        game.channel_id,
        game.mode,
        game.status,
        game.home_id,
        game.away_id,
        game.seed,
        game.possessions,
        game.shot_clock_ms,
        game.deadline,
        now,
        now,
      );
      return row as unknown as GameRow;
    },
    getGame: (id) =>
      store.prepare("SELECT * FROM games WHERE id = ?").get(id) as GameRow | undefined,
    openGames: () =>
      store.prepare(`SELECT * FROM games WHERE ${OPEN} ORDER BY id`).all() as unknown as GameRow[],
    openGamesInGuild: (guildId, limit) =>
      store.prepare(`SELECT * FROM games WHERE guild_id = ? AND ${OPEN} ORDER BY id DESC LIMIT ?`)
        .all(guildId, limit) as unknown as GameRow[],
    updateGame: update,
    finishGame(id, fields, results, now) {
      store.transaction(() => {
        update(id, { ...fields, finished_at: now }, now);
        const guildId = (store.prepare("SELECT guild_id FROM games WHERE id = ?").get(id) as {
          guild_id: string | null;
        })
          ?.guild_id;
        for (const r of results) {
          store.prepare(
            `UPDATE players SET rating = ?, wins = wins + ?, losses = losses + ?, points_for = points_for + ?,
               points_against = points_against + ?, games_played = games_played + 1, last_seen = ? WHERE id = ?`,
          ).run(
            r.rating,
            r.won ? 1 : 0,
            r.lost ? 1 : 0,
            r.pointsFor,
            r.pointsAgainst,
            now,
            r.playerId,
          );
          if (guildId) {
            store.prepare(
              `INSERT INTO guild_players (guild_id, player_id, wins, losses, games_played) VALUES (?, ?, ?, ?, 1)
               ON CONFLICT (guild_id, player_id) DO UPDATE SET wins = wins + excluded.wins,
                 losses = losses + excluded.losses, games_played = games_played + 1`,
            ).run(guildId, r.playerId, r.won ? 1 : 0, r.lost ? 1 : 0);
          }
        }
      });
    },
    leaderboard(scope, limit) {
      if (scope.guildId) {
        return store.prepare(
          `SELECT p.*, g.wins AS guild_wins, g.losses AS guild_losses FROM guild_players g
           JOIN players p ON p.id = g.player_id WHERE g.guild_id = ?
           ORDER BY p.rating DESC, g.wins DESC, p.id LIMIT ?`,
        ).all(
          scope.guildId,
          limit,
        ) as unknown as (PlayerRow & { guild_wins: number; guild_losses: number })[];
      }
      return store.prepare(
        "SELECT * FROM players WHERE games_played > 0 ORDER BY rating DESC, id LIMIT ?",
      ).all(limit) as unknown as PlayerRow[];
    },
    rankOf(playerId) {
      const row = store.prepare(
        `SELECT COUNT(*) + 1 AS rank FROM players WHERE games_played > 0 AND
           rating > (SELECT rating FROM players WHERE id = ?)`,
      ).get(playerId) as { rank: number } | undefined;
      return row?.rank;
    },
    finishedSince: (since) =>
      (store.prepare("SELECT COUNT(*) AS n FROM games WHERE finished_at >= ?").get(since) as {
        n: number;
      }).n,
    countGames() {
      const row = store.prepare(
        `SELECT SUM(status IN ('pending', 'active')) AS open, SUM(finished_at IS NOT NULL) AS finished FROM games`,
      ).get() as { open: number | null; finished: number | null };
      return { open: row.open ?? 0, finished: row.finished ?? 0 };
    },
  };
}
