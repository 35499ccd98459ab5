/**
 * Elo ratings for challenge games. Solo games and abandoned games leave ratings
 * unchanged; `ratingsAfterGame` applies that rule so callers need not.
 *
 * @module
 */

import { otherSide, quote, type Side } from "./plays.ts";
import type { GameSetup } from "./setup.ts";
import type { GameState } from "./state.ts";

/** The rating of a player who has never played a rated game. */
export const START_RATING = 1000;

/** The Elo K-factor: the most a single game can move a rating. */
export const ELO_K = 32;

/** A game result from one player's view: 1 win, 0 loss, 0.5 draw. */
export type EloScore = 1 | 0 | 0.5;

/** Expected score of a player rated `rating` against one rated `opponent` (0..1). */
export function expectedScore(rating: number, opponent: number): number {
  return 1 / (1 + 10 ** ((opponent - rating) / 400));
}

/**
 * New ratings `[a, b]` after A scored `scoreA` against B. The change is rounded half
 * away from zero and B's change is exactly minus A's, so the sum is conserved.
 * Ratings must be integers; throws `RangeError` otherwise.
 */
export function eloUpdate(
  ratingA: number,
  ratingB: number,
  scoreA: EloScore,
  k: number = ELO_K,
): [number, number] {
  assertRating(ratingA);
  assertRating(ratingB);
  if (scoreA !== 0 && scoreA !== 0.5 && scoreA !== 1) {
    throw new RangeError(`Invalid Elo score ${quote(scoreA)}: expected 1 (win), 0 (loss) or 0.5`);
  }
  if (typeof k !== "number" || !Number.isFinite(k) || k <= 0) {
    throw new RangeError(`Invalid Elo K-factor ${quote(k)}: expected a positive number`);
  }
  const change = k * (scoreA - expectedScore(ratingA, ratingB));
  const rounded = Math.sign(change) * Math.round(Math.abs(change));
  // `+ 0` turns a -0 change into 0.
  return [ratingA + rounded + 0, ratingB - rounded + 0];
}

/**
 * Ratings after a finished game, by side. Challenge games that were completed or
 * forfeited are rated (a forfeit is a loss); solo and abandoned games return the
 * ratings unchanged. Throws a `RangeError` for a game that is still active.
 */
export function ratingsAfterGame(
  setup: GameSetup,
  state: GameState,
  ratings: Readonly<Record<Side, number>>,
  k: number = ELO_K,
): Record<Side, number> {
  if (state.status === "active") {
    throw new RangeError("Cannot rate a game that is still active: wait until it finishes");
  }
  if (setup.mode === "solo" || state.winner === null) {
    return { home: ratings.home, away: ratings.away };
  }
  const [winner, loser] = eloUpdate(
    ratings[state.winner],
    ratings[otherSide(state.winner)],
    1,
    k,
  );
  return state.winner === "home" ? { home: winner, away: loser } : { home: loser, away: winner };
}

function assertRating(rating: number): void {
  if (typeof rating !== "number" || !Number.isSafeInteger(rating)) {
    throw new RangeError(`Invalid rating ${quote(rating)}: expected an integer`);
  }
}
