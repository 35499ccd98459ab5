/**
 * The seeded randomness of a game. A draw is a pure hash of (seed, k, stream), never
 * a running generator, so the draw for possession `k` does not depend on what happened
 * before it and a game replays identically from its stored picks.
 *
 * @module
 */

import { assertPossessionIndex, assertSeed } from "./setup.ts";

/**
 * Independent streams of draws for one possession: the steal check against Press, the
 * shot, and the House's picks (salted apart so a House pick tells nothing about the outcome).
 */
export type DrawStream = "steal" | "shot" | "houseOffense" | "houseDefense";

const STREAM_SALTS: Readonly<Record<DrawStream, number>> = {
  steal: 0x1b873593,
  shot: 0x85ebca6b,
  houseOffense: 0xc2b2ae35,
  houseDefense: 0x27d4eb2f,
};

/** lowbias32 (Chris Wellons): a fast 32-bit integer hash with good avalanche. */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A deterministic float in [0, 1) for possession `k` of the game with `seed`, on the
 * given stream. It depends only on its three arguments.
 * Throws a `RangeError` on a seed or index that is not an unsigned 32-bit integer.
 */
export function drawFor(seed: number, k: number, stream: DrawStream = "shot"): number {
  assertSeed(seed);
  assertPossessionIndex(k);
  const salt = STREAM_SALTS[stream];
  if (salt === undefined) {
    throw new TypeError(`Invalid draw stream "${String(stream)}"`);
  }
  const seeded = mix32(seed ^ salt);
  const indexed = mix32(seeded + Math.imul(k, 0x9e3779b9));
  return mix32(indexed ^ salt) / 0x100000000;
}
