import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  DEFAULT_POSSESSIONS_PER_SIDE,
  type GameSetup,
  newGame,
  periodOf,
  regulationPossessions,
  replayGame,
} from "../../src/game/mod.ts";

describe("createGameSetup", () => {
  it("defaults to 8 possessions per side", () => {
    expect(DEFAULT_POSSESSIONS_PER_SIDE).toBe(8);
    expect(createGameSetup({ seed: 1, mode: "solo" })).toEqual({
      seed: 1,
      mode: "solo",
      possessionsPerSide: 8,
    });
  });

  it("accepts 1 to 50 possessions per side", () => {
    expect(createGameSetup({ seed: 0, mode: "challenge", possessionsPerSide: 1 })).toBeTruthy();
    expect(createGameSetup({ seed: 0, mode: "challenge", possessionsPerSide: 50 })).toBeTruthy();
  });

  it("rejects possessions per side outside 1..50 or not whole with a RangeError", () => {
    for (const possessionsPerSide of [0, 51, 2.5, -3, Number.NaN, Infinity]) {
      expect(() => createGameSetup({ seed: 0, mode: "challenge", possessionsPerSide })).toThrow(
        RangeError,
      );
    }
    expect(() => createGameSetup({ seed: 0, mode: "challenge", possessionsPerSide: 51 })).toThrow(
      'Invalid possessions per side "51": expected an integer from 1 to 50',
    );
  });

  it("rejects a seed that is not an unsigned 32-bit integer with a RangeError", () => {
    for (const seed of [-1, 2 ** 32, 0.25, Number.NaN]) {
      expect(() => createGameSetup({ seed, mode: "solo" })).toThrow(RangeError);
    }
    expect(createGameSetup({ seed: 2 ** 32 - 1, mode: "solo" }).seed).toBe(4294967295);
  });

  it("rejects an unknown mode with a TypeError", () => {
    // @ts-expect-error: testing untyped input
    expect(() => createGameSetup({ seed: 1, mode: "ranked" })).toThrow(TypeError);
  });

  it("is re-checked when a stored setup is replayed", () => {
    const stored = { seed: 1, mode: "solo", possessionsPerSide: 0 } as GameSetup;
    expect(() => replayGame(stored, [])).toThrow(RangeError);
    expect(() => newGame({ ...stored, possessionsPerSide: 8, seed: -5 })).toThrow(RangeError);
  });
});

describe("periods", () => {
  it("number regulation 0 and each overtime pair of possessions from 1", () => {
    const setup = createGameSetup({ seed: 1, mode: "challenge", possessionsPerSide: 2 });
    expect(regulationPossessions(setup)).toBe(4);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => periodOf(setup, k))).toEqual([
      0,
      0,
      0,
      0,
      1,
      1,
      2,
      2,
      3,
    ]);
  });
});
