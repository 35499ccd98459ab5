/**
 * One possession: the stored picks, the probability table from the rules, and the
 * pure resolution of a possession from (seed, k, picks).
 *
 * @module
 */

import {
  type DefensePlay,
  isDefensePlay,
  isOffensePlay,
  type OffensePlay,
  PLAY_POINTS,
  quote,
  type Side,
} from "./plays.ts";
import { drawFor } from "./random.ts";
import { assertGameSetup, assertPossessionIndex, type GameSetup, offenseFor } from "./setup.ts";

/**
 * The picks of one possession as stored. `null` means that side let the shot clock
 * expire: a shot-clock violation for the offense, Man for the defense.
 */
export interface PossessionRecord {
  /** The offense's pick, or null for a shot-clock violation. */
  offensePick: OffensePlay | null;
  /** The defense's pick, or null when the defense let the clock expire (plays Man). */
  defensePick: DefensePlay | null;
}

/** How a possession ended. A steal only happens against Press. */
export type PossessionOutcome = "made" | "missed" | "steal" | "violation";

/** A resolved possession, as kept in the game log. Plain data. */
export interface PossessionResult {
  /** 0-based possession index within the game. */
  k: number;
  /** The side that had the ball. */
  offense: Side;
  /** The offense's pick; null for a shot-clock violation. */
  offensePick: OffensePlay | null;
  /** The defense actually played (Man when the defense let the clock expire). */
  defensePick: DefensePlay;
  /** True when the defense let the clock expire and Man was played for it. */
  defenseDefaulted: boolean;
  /** How the possession ended. */
  outcome: PossessionOutcome;
  /** Points scored by the offense (0, 2 or 3). */
  points: number;
  /** Chance the shot had to go in; null when no shot was taken (violation or steal). */
  probability: number | null;
}

/** Chance that the shot goes in, by offense play and defense (the table in GAME.md). */
export const SHOT_PROBABILITY: Readonly<
  Record<OffensePlay, Readonly<Record<DefensePlay, number>>>
> = {
  drive: { man: 0.55, zone: 0.45, press: 0.60 },
  mid: { man: 0.48, zone: 0.52, press: 0.44 },
  three: { man: 0.36, zone: 0.42, press: 0.30 },
};

/** Chance that the offense loses the ball against Press before it can shoot. */
export const STEAL_PROBABILITY = 0.12;

/** The defense played when the defense lets the shot clock expire. */
export const DEFAULT_DEFENSE: DefensePlay = "man";

/** Throws a `TypeError` unless `record` holds a valid (or null) pick on each side. */
export function assertPossessionRecord(record: PossessionRecord): void {
  if (typeof record !== "object" || record === null) {
    throw new TypeError(`Invalid possession record ${quote(record)}: expected an object`);
  }
  const { offensePick, defensePick } = record;
  if (offensePick !== null && !isOffensePlay(offensePick)) {
    throw new TypeError(
      `Invalid offense play ${quote(offensePick)}: expected "drive", "mid", "three" or null`,
    );
  }
  if (defensePick !== null && !isDefensePlay(defensePick)) {
    throw new TypeError(
      `Invalid defense play ${quote(defensePick)}: expected "man", "zone", "press" or null`,
    );
  }
}

/** Whether both sides let the shot clock expire on this possession. */
export function isDoubleExpiry(record: PossessionRecord): boolean {
  return record.offensePick === null && record.defensePick === null;
}

/**
 * Resolves possession `k` of a game. The outcome depends only on the seed, `k` and the
 * two picks: against Press the steal draw comes first (steal below 0.12), then the shot
 * draw is compared to the table. An offense that did not pick commits a violation; a
 * defense that did not pick plays Man. Throws `TypeError`/`RangeError` on bad input.
 */
export function resolvePossession(
  setup: GameSetup,
  k: number,
  offensePick: OffensePlay | null,
  defensePick: DefensePlay | null,
): PossessionResult {
  assertGameSetup(setup);
  assertPossessionIndex(k);
  assertPossessionRecord({ offensePick, defensePick });
  const defense = defensePick ?? DEFAULT_DEFENSE;
  const base = {
    k,
    offense: offenseFor(k),
    offensePick,
    defensePick: defense,
    defenseDefaulted: defensePick === null,
  };
  if (offensePick === null) {
    return { ...base, outcome: "violation", points: 0, probability: null };
  }
  if (defense === "press" && drawFor(setup.seed, k, "steal") < STEAL_PROBABILITY) {
    return { ...base, outcome: "steal", points: 0, probability: null };
  }
  const probability = SHOT_PROBABILITY[offensePick][defense];
  const made = drawFor(setup.seed, k, "shot") < probability;
  return {
    ...base,
    outcome: made ? "made" : "missed",
    points: made ? PLAY_POINTS[offensePick] : 0,
    probability,
  };
}

/** The stored record a resolved possession came from (inverse of resolution's picks). */
export function recordOf(result: PossessionResult): PossessionRecord {
  return {
    offensePick: result.offensePick,
    defensePick: result.defenseDefaulted ? null : result.defensePick,
  };
}
