/**
 * The pure rules engine of Basketball Blitz: plain data in, plain data out. No I/O, no
 * clock, no ambient randomness; every draw comes from the game's seed and the possession
 * index, so a game is rebuilt exactly from its setup and stored picks.
 *
 * Typical live use: `createGameSetup` once, then per possession collect both picks
 * (`housePick` for the House in solo games), `applyPossession`, store
 * `encodeRecords(recordsOf(state))`, and show `describePossession(state.log.at(-1))`.
 *
 * @module
 */

export {
  DEFENSE_LABELS,
  DEFENSE_PLAYS,
  type DefensePlay,
  isDefensePlay,
  isOffensePlay,
  isSide,
  OFFENSE_LABELS,
  OFFENSE_PLAYS,
  type OffensePlay,
  otherSide,
  parseDefensePlay,
  parseOffensePlay,
  parseSide,
  PLAY_POINTS,
  type Side,
  SIDE_LABELS,
  SIDES,
} from "./plays.ts";
export {
  assertGameSetup,
  createGameSetup,
  DEFAULT_POSSESSIONS_PER_SIDE,
  type GameMode,
  type GameSetup,
  type GameSetupOptions,
  MAX_POSSESSIONS_PER_SIDE,
  MIN_POSSESSIONS_PER_SIDE,
  offenseFor,
  periodOf,
  regulationPossessions,
} from "./setup.ts";
export { drawFor, type DrawStream } from "./random.ts";
export {
  assertPossessionRecord,
  DEFAULT_DEFENSE,
  isDoubleExpiry,
  type PossessionOutcome,
  type PossessionRecord,
  type PossessionResult,
  recordOf,
  resolvePossession,
  SHOT_PROBABILITY,
  STEAL_PROBABILITY,
} from "./possession.ts";
export {
  ABANDON_AFTER_DOUBLE_EXPIRIES,
  applyPossession,
  currentDefense,
  currentOffense,
  forfeit,
  GameFinishedError,
  type GameState,
  type GameStatus,
  isFinished,
  newGame,
  recordsOf,
  replayGame,
} from "./state.ts";
export { HOUSE_SIDE, housePick, type HouseRole, houseRole } from "./house.ts";
export {
  ELO_K,
  type EloScore,
  eloUpdate,
  expectedScore,
  ratingsAfterGame,
  START_RATING,
} from "./elo.ts";
export { decodeRecords, encodeRecords } from "./encoding.ts";
export { describePeriod, describePossession, describeResult, describeScore } from "./describe.ts";
