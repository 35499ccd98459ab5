/**
 * What a game is set up with before the first possession: its seed, its mode and its
 * length. Setups come from the database, so every engine entry point re-checks them.
 *
 * @module
 */

import { quote, type Side } from "./plays.ts";

/** Solo: a player against the House (the House is away). Challenge: two players. */
export type GameMode = "solo" | "challenge";

/** The fixed facts of one game. Plain data: store it as it is. */
export interface GameSetup {
  /** Seed of every random draw and House pick, an unsigned 32-bit integer. */
  seed: number;
  /** Solo or challenge. */
  mode: GameMode;
  /** Regulation length: possessions each side gets before overtime, 1..50. */
  possessionsPerSide: number;
}

/** Input of `createGameSetup`; `possessionsPerSide` defaults to 8. */
export interface GameSetupOptions {
  /** Unsigned 32-bit seed; the caller draws it (the engine never reads a clock or RNG). */
  seed: number;
  /** Solo or challenge. */
  mode: GameMode;
  /** Possessions per side in regulation, 1..50; default `DEFAULT_POSSESSIONS_PER_SIDE`. */
  possessionsPerSide?: number;
}

/** Regulation possessions per side when a challenge does not say. */
export const DEFAULT_POSSESSIONS_PER_SIDE = 8;

/** Fewest possessions per side a game may be set up with. */
export const MIN_POSSESSIONS_PER_SIDE = 1;

/** Most possessions per side a game may be set up with. */
export const MAX_POSSESSIONS_PER_SIDE = 50;

/** Builds a validated setup, filling in defaults. Throws `RangeError`/`TypeError` on bad input. */
export function createGameSetup(options: GameSetupOptions): GameSetup {
  const setup: GameSetup = {
    seed: options.seed,
    mode: options.mode,
    possessionsPerSide: options.possessionsPerSide ?? DEFAULT_POSSESSIONS_PER_SIDE,
  };
  assertGameSetup(setup);
  return setup;
}

/** Throws a `TypeError` or `RangeError` unless `setup` is a valid `GameSetup`. */
export function assertGameSetup(setup: GameSetup): void {
  if (typeof setup !== "object" || setup === null) {
    throw new TypeError(`Invalid game setup ${quote(setup)}: expected an object`);
  }
  assertSeed(setup.seed);
  if (setup.mode !== "solo" && setup.mode !== "challenge") {
    throw new TypeError(`Invalid game mode ${quote(setup.mode)}: expected "solo" or "challenge"`);
  }
  const n = setup.possessionsPerSide;
  if (
    typeof n !== "number" || !Number.isInteger(n) || n < MIN_POSSESSIONS_PER_SIDE ||
    n > MAX_POSSESSIONS_PER_SIDE
  ) {
    throw new RangeError(
      `Invalid possessions per side ${quote(n)}: expected an integer from ` +
        `${MIN_POSSESSIONS_PER_SIDE} to ${MAX_POSSESSIONS_PER_SIDE}`,
    );
  }
}

/** Throws a `RangeError` unless `seed` is an integer in 0..2^32-1. */
export function assertSeed(seed: number): void {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(
      `Invalid seed ${quote(seed)}: expected an unsigned 32-bit integer (0 to 4294967295)`,
    );
  }
}

/** Throws a `RangeError` unless `k` is a possession index, an integer in 0..2^32-1. */
export function assertPossessionIndex(k: number): void {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k > 0xffffffff) {
    throw new RangeError(
      `Invalid possession index ${quote(k)}: expected an integer of 0 or more`,
    );
  }
}

/** The side on offense for possession `k` (0-based): home on even k, away on odd k. */
export function offenseFor(k: number): Side {
  assertPossessionIndex(k);
  return k % 2 === 0 ? "home" : "away";
}

/** Total possessions in regulation (both sides). */
export function regulationPossessions(setup: GameSetup): number {
  return setup.possessionsPerSide * 2;
}

/**
 * The period possession `k` belongs to: 0 for regulation, n for the nth overtime
 * (each overtime is one possession per side).
 */
export function periodOf(setup: GameSetup, k: number): number {
  assertPossessionIndex(k);
  const regulation = regulationPossessions(setup);
  return k < regulation ? 0 : Math.floor((k - regulation) / 2) + 1;
}
