/**
 * Short English lines for the board: a play-by-play line per possession, the period,
 * and the final result. Plain strings, no Discord markup.
 *
 * @module
 */

import { DEFENSE_LABELS, OFFENSE_LABELS, SIDE_LABELS } from "./plays.ts";
import type { PossessionResult } from "./possession.ts";
import type { GameState } from "./state.ts";

/**
 * A play-by-play line, e.g. `Home: Three vs Zone — made, +3`. A defense that let the
 * clock expire shows as `Man (shot clock)`; a violation as `Away: shot-clock violation — no points`.
 */
export function describePossession(result: PossessionResult): string {
  const side = SIDE_LABELS[result.offense];
  if (result.outcome === "violation" || result.offensePick === null) {
    return `${side}: shot-clock violation — no points`;
  }
  const defense = DEFENSE_LABELS[result.defensePick] +
    (result.defenseDefaulted ? " (shot clock)" : "");
  const matchup = `${side}: ${OFFENSE_LABELS[result.offensePick]} vs ${defense}`;
  switch (result.outcome) {
    case "made":
      return `${matchup} — made, +${result.points}`;
    case "missed":
      return `${matchup} — missed`;
    case "steal":
      return `${matchup} — stolen`;
  }
}

/** The name of a period: `Regulation`, `Overtime`, `Overtime 2`, ... */
export function describePeriod(period: number): string {
  if (!Number.isInteger(period) || period < 0) {
    throw new RangeError(`Invalid period "${period}": expected an integer of 0 or more`);
  }
  if (period === 0) return "Regulation";
  return period === 1 ? "Overtime" : `Overtime ${period}`;
}

/** The score line, e.g. `Home 12 – 9 Away`. */
export function describeScore(state: GameState): string {
  return `Home ${state.scores.home} – ${state.scores.away} Away`;
}

/**
 * How the game stands or ended, e.g. `Home wins 14–12`, `Away wins by forfeit`,
 * `Abandoned: both sides let the shot clock expire 3 times in a row`.
 */
export function describeResult(state: GameState): string {
  switch (state.status) {
    case "active":
      return `In progress: ${describeScore(state)}`;
    case "abandoned":
      return `Abandoned: both sides let the shot clock expire ${state.consecutiveDoubleExpiries} times in a row`;
    case "forfeited":
    case "completed": {
      if (state.winner === null) return `Ended: ${describeScore(state)}`;
      const winner = SIDE_LABELS[state.winner];
      if (state.status === "forfeited") return `${winner} wins by forfeit`;
      const loser = state.winner === "home" ? "away" : "home";
      return `${winner} wins ${state.scores[state.winner]}–${state.scores[loser]}`;
    }
  }
}
