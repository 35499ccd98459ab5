/**
 * The state of a game and how it moves: a fold of resolved possessions over the setup.
 * `applyPossession` is the live, incremental step; `replayGame` rebuilds the same state
 * from stored records. Both are pure and return new objects.
 *
 * @module
 */

import { otherSide, parseSide, quote, type Side } from "./plays.ts";
import {
  assertPossessionRecord,
  isDoubleExpiry,
  type PossessionRecord,
  type PossessionResult,
  recordOf,
  resolvePossession,
} from "./possession.ts";
import { assertGameSetup, type GameSetup, offenseFor, periodOf } from "./setup.ts";

/**
 * Where a game stands. `active` games take more possessions; `completed` has a winner
 * on the scoreboard, `forfeited` a winner by forfeit, `abandoned` no winner.
 */
export type GameStatus = "active" | "completed" | "abandoned" | "forfeited";

/** Consecutive possessions with both shot clocks expired that abandon a game. */
export const ABANDON_AFTER_DOUBLE_EXPIRIES = 3;

/** The whole state of a game, rebuilt from its setup and records. Plain data. */
export interface GameState {
  /** Points per side. */
  scores: Record<Side, number>;
  /** Possessions resolved so far, which is also the index of the next possession. */
  k: number;
  /** The side on offense for the next possession; null once the game is finished. */
  offense: Side | null;
  /**
   * 0 in regulation, n in the nth overtime: the period of the next possession while
   * active, of the last possession played once finished.
   */
  period: number;
  /** Active, completed, abandoned or forfeited. */
  status: GameStatus;
  /** The winning side; null while active and for an abandoned game. */
  winner: Side | null;
  /** The side that forfeited, if the game ended by forfeit. */
  forfeitedBy: Side | null;
  /** Possessions in a row, up to now, on which both sides let the shot clock expire. */
  consecutiveDoubleExpiries: number;
  /** Every resolved possession, oldest first. */
  log: PossessionResult[];
}

/** Thrown when a possession or forfeit is applied to a game that is no longer active. */
export class GameFinishedError extends Error {
  /** The status the game had already reached. */
  readonly status: GameStatus;

  /** Builds the error for a game that ended with `status`; `action` says what was refused. */
  constructor(status: GameStatus, action: string, options?: ErrorOptions) {
    super(`Cannot ${action}: the game is already ${status}`, options);
    this.name = "GameFinishedError";
    this.status = status;
  }
}

/** The state of a game before its first possession: 0-0, home on offense. */
export function newGame(setup: GameSetup): GameState {
  assertGameSetup(setup);
  return {
    scores: { home: 0, away: 0 },
    k: 0,
    offense: "home",
    period: 0,
    status: "active",
    winner: null,
    forfeitedBy: null,
    consecutiveDoubleExpiries: 0,
    log: [],
  };
}

/**
 * Resolves the next possession (index `state.k`) from its record and returns the new
 * state. The game ends when a side leads after regulation or after a full overtime
 * (equal possessions each), or is abandoned after three consecutive double expiries;
 * abandonment wins if both happen on the same possession, since the rules abandon any
 * game in which both sides walked away. Throws `GameFinishedError` if the game is over.
 */
export function applyPossession(
  setup: GameSetup,
  state: GameState,
  record: PossessionRecord,
): GameState {
  if (state.status !== "active") {
    throw new GameFinishedError(state.status, `play possession ${state.k}`);
  }
  assertPossessionRecord(record);
  const result = resolvePossession(setup, state.k, record.offensePick, record.defensePick);
  const scores = { ...state.scores };
  scores[result.offense] += result.points;
  const k = state.k + 1;
  const consecutiveDoubleExpiries = isDoubleExpiry(record)
    ? state.consecutiveDoubleExpiries + 1
    : 0;
  const log = [...state.log, result];

  if (consecutiveDoubleExpiries >= ABANDON_AFTER_DOUBLE_EXPIRIES) {
    return finished(state, { scores, k, consecutiveDoubleExpiries, log }, "abandoned", null);
  }
  const evenPossessions = k % 2 === 0;
  const pastRegulation = k >= setup.possessionsPerSide * 2;
  if (evenPossessions && pastRegulation && scores.home !== scores.away) {
    const winner: Side = scores.home > scores.away ? "home" : "away";
    return finished(state, { scores, k, consecutiveDoubleExpiries, log }, "completed", winner);
  }
  return {
    ...state,
    scores,
    k,
    offense: offenseFor(k),
    period: periodOf(setup, k),
    consecutiveDoubleExpiries,
    log,
  };
}

function finished(
  state: GameState,
  changes: Pick<GameState, "scores" | "k" | "consecutiveDoubleExpiries" | "log">,
  status: GameStatus,
  winner: Side | null,
): GameState {
  return { ...state, ...changes, offense: null, status, winner };
}

/**
 * Ends an active game by forfeit: `side` loses and the other side wins, whatever the
 * score. Throws `GameFinishedError` if the game is already over.
 */
export function forfeit(state: GameState, side: Side): GameState {
  parseSide(side);
  if (state.status !== "active") {
    throw new GameFinishedError(state.status, `forfeit for ${quote(side)}`);
  }
  return {
    ...state,
    offense: null,
    status: "forfeited",
    winner: otherSide(side),
    forfeitedBy: side,
  };
}

/**
 * Rebuilds a game's state from its setup and stored records, then applies the forfeit
 * if one was stored. Equal to folding `applyPossession` over the records. Throws on a
 * bad setup or record, and `GameFinishedError` for records after the game ended.
 */
export function replayGame(
  setup: GameSetup,
  records: readonly PossessionRecord[],
  forfeitedBy?: Side | null,
): GameState {
  let state = newGame(setup);
  for (const record of records) {
    state = applyPossession(setup, state, record);
  }
  return forfeitedBy == null ? state : forfeit(state, forfeitedBy);
}

/** The side on offense for the next possession, or null once the game is finished. */
export function currentOffense(state: GameState): Side | null {
  return state.status === "active" ? state.offense : null;
}

/** The side on defense for the next possession, or null once the game is finished. */
export function currentDefense(state: GameState): Side | null {
  const offense = currentOffense(state);
  return offense === null ? null : otherSide(offense);
}

/** Whether the game is over (completed, abandoned or forfeited). */
export function isFinished(state: GameState): boolean {
  return state.status !== "active";
}

/** The stored records of a state's log, e.g. to encode them for storage. */
export function recordsOf(state: GameState): PossessionRecord[] {
  return state.log.map(recordOf);
}
