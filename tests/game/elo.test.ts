import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  ELO_K,
  eloUpdate,
  expectedScore,
  forfeit,
  newGame,
  ratingsAfterGame,
  replayGame,
  START_RATING,
} from "../../src/game/mod.ts";
import { scriptedGame } from "./game_helpers.ts";

describe("eloUpdate", () => {
  it("starts players at 1000 with K = 32", () => {
    expect(START_RATING).toBe(1000);
    expect(ELO_K).toBe(32);
  });

  it("moves equal ratings by 16 each way on a win", () => {
    expect(eloUpdate(1000, 1000, 1)).toEqual([1016, 984]);
    expect(eloUpdate(1000, 1000, 0)).toEqual([984, 1016]);
    expect(eloUpdate(1000, 1000, 0.5)).toEqual([1000, 1000]);
  });

  it("gives known values for unequal ratings", () => {
    expect(eloUpdate(1200, 1000, 1)).toEqual([1208, 992]);
    expect(eloUpdate(1200, 1000, 0)).toEqual([1176, 1024]);
    expect(eloUpdate(1000, 1400, 1)).toEqual([1029, 1371]);
    expect(eloUpdate(1000, 1200, 0.5)).toEqual([1008, 1192]);
    expect(eloUpdate(1000, 1000, 1, 16)).toEqual([1008, 992]);
    expect(expectedScore(1200, 1000)).toBeCloseTo(0.7597, 4);
  });

  it("conserves the sum of ratings and treats both players alike", () => {
    for (let a = 600; a <= 1800; a += 37) {
      for (let b = 600; b <= 1800; b += 41) {
        for (const score of [0, 0.5, 1] as const) {
          const [newA, newB] = eloUpdate(a, b, score);
          expect(newA + newB).toBe(a + b);
          expect(Number.isInteger(newA)).toBe(true);
          const mirrored = eloUpdate(b, a, (1 - score) as 0 | 0.5 | 1);
          expect(mirrored).toEqual([newB, newA]);
        }
      }
    }
  });

  it("rejects ratings, scores and K-factors that make no sense", () => {
    expect(() => eloUpdate(1000.5, 1000, 1)).toThrow(RangeError);
    expect(() => eloUpdate(Number.NaN, 1000, 1)).toThrow(RangeError);
    // @ts-expect-error: testing untyped input
    expect(() => eloUpdate(1000, 1000, 2)).toThrow(/Invalid Elo score "2"/);
    expect(() => eloUpdate(1000, 1000, 1, 0)).toThrow(RangeError);
  });
});

describe("ratingsAfterGame", () => {
  const ratings = { home: 1000, away: 1000 };

  it("rates a completed challenge game for the winner", () => {
    const { setup, records } = scriptedGame(1, ["zero", "two"]);
    const state = replayGame(setup, records);
    expect(state.winner).toBe("away");
    expect(ratingsAfterGame(setup, state, ratings)).toEqual({ home: 984, away: 1016 });
  });

  it("rates a forfeit as a loss for the side that forfeited", () => {
    const setup = createGameSetup({ seed: 1, mode: "challenge" });
    const state = forfeit(newGame(setup), "away");
    expect(ratingsAfterGame(setup, state, { home: 1100, away: 1000 })).toEqual({
      home: 1112,
      away: 988,
    });
    const homeQuits = forfeit(newGame(setup), "home");
    expect(ratingsAfterGame(setup, homeQuits, { home: 1100, away: 1000 })).toEqual({
      home: 1080,
      away: 1020,
    });
  });

  it("leaves ratings unchanged after a solo game", () => {
    const setup = createGameSetup({ seed: 1, mode: "solo" });
    const state = forfeit(newGame(setup), "home");
    expect(ratingsAfterGame(setup, state, ratings)).toEqual(ratings);
  });

  it("leaves ratings unchanged after an abandoned game", () => {
    const setup = createGameSetup({ seed: 1, mode: "challenge" });
    const double = { offensePick: null, defensePick: null };
    const state = replayGame(setup, [double, double, double]);
    expect(ratingsAfterGame(setup, state, ratings)).toEqual(ratings);
  });

  it("refuses to rate a game that is still active", () => {
    const setup = createGameSetup({ seed: 1, mode: "challenge" });
    expect(() => ratingsAfterGame(setup, newGame(setup), ratings)).toThrow(RangeError);
  });
});
