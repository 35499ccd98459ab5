/**
 * Shared helpers for the game engine tests: scripted games that find a seed on which
 * the wanted possessions really score, so tests control the scoreboard without mocks.
 *
 * @module
 */

import {
  createGameSetup,
  DEFENSE_PLAYS,
  type GameSetup,
  type PossessionRecord,
  resolvePossession,
} from "../../src/game/mod.ts";

/**
 * One scripted possession: `two` a made 2-pointer, `zero` a shot-clock violation by the
 * offense (defense picked Zone), `double` both sides letting the clock expire.
 */
export type ScriptStep = "two" | "zero" | "double";

/** A setup and the records that play out `script` on it. */
export interface ScriptedGame {
  setup: GameSetup;
  records: PossessionRecord[];
}

/** The record for one step on possession `k`, or null if `setup` cannot make it happen. */
function recordFor(setup: GameSetup, k: number, step: ScriptStep): PossessionRecord | null {
  if (step === "zero") return { offensePick: null, defensePick: "zone" };
  if (step === "double") return { offensePick: null, defensePick: null };
  for (const offensePick of ["drive", "mid"] as const) {
    for (const defensePick of DEFENSE_PLAYS) {
      if (resolvePossession(setup, k, offensePick, defensePick).outcome === "made") {
        return { offensePick, defensePick };
      }
    }
  }
  return null;
}

/** Finds the first seed on which `script` can be played and returns its records. */
export function scriptedGame(possessionsPerSide: number, script: ScriptStep[]): ScriptedGame {
  for (let seed = 0; seed < 100_000; seed++) {
    const setup = createGameSetup({ seed, mode: "challenge", possessionsPerSide });
    const records: PossessionRecord[] = [];
    for (const [k, step] of script.entries()) {
      const record = recordFor(setup, k, step);
      if (record === null) break;
      records.push(record);
    }
    if (records.length === script.length) return { setup, records };
  }
  throw new Error(`No seed plays the script ${script.join(",")}`);
}
