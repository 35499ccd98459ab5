/**
 * The House: the bot's side in a solo game. It plays away and picks from the game's
 * seed on streams salted apart from the resolution draws, so its pick for a possession
 * is deterministic and says nothing about how that possession's shot will go.
 *
 * @module
 */

import {
  DEFENSE_PLAYS,
  type DefensePlay,
  OFFENSE_PLAYS,
  type OffensePlay,
  type Side,
} from "./plays.ts";
import { drawFor } from "./random.ts";
import { offenseFor } from "./setup.ts";

/** The side the House plays in a solo game. */
export const HOUSE_SIDE: Side = "away";

/** Whether the House is on offense or defense. */
export type HouseRole = "offense" | "defense";

/** The House's role on possession `k` of a solo game (away: defense on even k). */
export function houseRole(k: number): HouseRole {
  return offenseFor(k) === HOUSE_SIDE ? "offense" : "defense";
}

/**
 * The House's pick on possession `k` of the game with `seed`: each play with equal
 * chance, the same every time for the same (seed, k, role).
 */
export function housePick(seed: number, k: number, role: "offense"): OffensePlay;
/** The House's defense on possession `k` of the game with `seed`. */
export function housePick(seed: number, k: number, role: "defense"): DefensePlay;
/** The House's pick for either role. */
export function housePick(seed: number, k: number, role: HouseRole): OffensePlay | DefensePlay;
export function housePick(seed: number, k: number, role: HouseRole): OffensePlay | DefensePlay {
  if (role === "offense") {
    return pickFrom(OFFENSE_PLAYS, drawFor(seed, k, "houseOffense"));
  }
  if (role === "defense") {
    return pickFrom(DEFENSE_PLAYS, drawFor(seed, k, "houseDefense"));
  }
  throw new TypeError(`Invalid House role "${String(role)}": expected "offense" or "defense"`);
}

function pickFrom<T>(choices: readonly T[], draw: number): T {
  const choice = choices[Math.floor(draw * choices.length)];
  if (choice === undefined) throw new RangeError(`Draw ${draw} is outside [0, 1)`);
  return choice;
}
