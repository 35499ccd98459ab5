import { describe, expect, it } from "vitest";
import {
  applyPossession,
  createGameSetup,
  decodeRecords,
  drawFor,
  encodeRecords,
  forfeit,
  housePick,
  newGame,
  type PossessionRecord,
  recordsOf,
  replayGame,
} from "../../src/game/mod.ts";

/**
 * Picks for both sides of possession `k`: House-style plays, with each side letting the
 * clock run out with chance `expiry` (drawn from a salted copy of the seed).
 */
function picksFor(seed: number, k: number, expiry = 0.1): PossessionRecord {
  const salted = (seed ^ 0x5eed) >>> 0;
  return {
    offensePick: drawFor(salted, k, "steal") < expiry ? null : housePick(salted, k, "offense"),
    defensePick: drawFor(salted, k, "shot") < expiry ? null : housePick(salted, k, "defense"),
  };
}

describe("a game played live", () => {
  it("equals replayGame of its encoded and decoded records", () => {
    const endings = new Set<string>();
    let overtimes = 0;
    for (let seed = 0; seed < 300; seed++) {
      const setup = createGameSetup({
        seed: (seed * 2654435761) >>> 0,
        mode: seed % 2 ? "solo" : "challenge",
        possessionsPerSide: 1 + (seed % 8),
      });
      const expiry = seed % 10 === 0 ? 0.7 : 0.1;
      const forfeitAt = seed % 7 === 0 ? seed % 5 : null;
      let state = newGame(setup);
      const stored: PossessionRecord[] = [];
      while (state.status === "active") {
        if (state.k > 500) throw new Error(`Game with seed ${setup.seed} never ends`);
        if (state.k === forfeitAt) {
          state = forfeit(state, state.k % 2 ? "home" : "away");
          break;
        }
        const record = picksFor(setup.seed, state.k, expiry);
        stored.push(record);
        state = applyPossession(setup, state, record);
      }
      endings.add(state.status);
      if (state.period > 0) overtimes++;
      const encoded = encodeRecords(stored);
      expect(encoded).toHaveLength(state.k);
      expect(replayGame(setup, decodeRecords(encoded), state.forfeitedBy)).toEqual(state);
      expect(recordsOf(state)).toEqual(stored);
      expect(state.scores.home + state.scores.away).toBe(
        state.log.reduce((sum, result) => sum + result.points, 0),
      );
    }
    expect(endings).toEqual(new Set(["completed", "abandoned", "forfeited"]));
    expect(overtimes).toBeGreaterThan(10);
  });

  it("never changes a state it was given", () => {
    const setup = createGameSetup({ seed: 8, mode: "challenge" });
    const before = newGame(setup);
    const snapshot = structuredClone(before);
    applyPossession(setup, before, { offensePick: "three", defensePick: "zone" });
    expect(before).toEqual(snapshot);
  });

  it("survives a JSON round trip of its state", () => {
    const setup = createGameSetup({ seed: 31, mode: "challenge" });
    const records = Array.from({ length: 7 }, (_, k) => picksFor(31, k));
    const state = replayGame(setup, records);
    const revived = JSON.parse(JSON.stringify(state));
    expect(revived).toEqual(state);
    expect(applyPossession(setup, revived, records[0]!)).toEqual(
      applyPossession(setup, state, records[0]!),
    );
  });
});
