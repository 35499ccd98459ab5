import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  DEFENSE_PLAYS,
  OFFENSE_PLAYS,
  PLAY_POINTS,
  resolvePossession,
  SHOT_PROBABILITY,
  STEAL_PROBABILITY,
} from "../../src/game/mod.ts";

const SEEDS = 20_000;

/** True when `observed` is within four standard deviations of a rate `p` over `n` trials. */
function withinFourSigma(observed: number, p: number, n: number): boolean {
  return Math.abs(observed - p) <= 4 * Math.sqrt((p * (1 - p)) / n);
}

describe("the probability table", () => {
  it("matches GAME.md exactly", () => {
    expect(SHOT_PROBABILITY).toEqual({
      drive: { man: 0.55, zone: 0.45, press: 0.60 },
      mid: { man: 0.48, zone: 0.52, press: 0.44 },
      three: { man: 0.36, zone: 0.42, press: 0.30 },
    });
    expect(STEAL_PROBABILITY).toBe(0.12);
  });

  for (const offense of OFFENSE_PLAYS) {
    for (const defense of DEFENSE_PLAYS) {
      const p = SHOT_PROBABILITY[offense][defense];
      it(`makes ${offense} against ${defense} at ${p} of shots over ${SEEDS} seeds`, () => {
        let shots = 0;
        let made = 0;
        for (let seed = 0; seed < SEEDS; seed++) {
          const setup = createGameSetup({ seed, mode: "challenge" });
          const result = resolvePossession(setup, seed % 32, offense, defense);
          if (result.outcome === "steal") continue;
          shots++;
          expect(result.probability).toBe(p);
          if (result.outcome === "made") {
            made++;
            expect(result.points).toBe(PLAY_POINTS[offense]);
          } else {
            expect(result.outcome).toBe("missed");
            expect(result.points).toBe(0);
          }
        }
        expect(shots).toBeGreaterThan(SEEDS * 0.8);
        expect(withinFourSigma(made / shots, p, shots)).toBe(true);
      });
    }
  }
});

describe("steals", () => {
  it("happen against Press at a rate of about 0.12", () => {
    for (const offense of OFFENSE_PLAYS) {
      let steals = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const result = resolvePossession(
          createGameSetup({ seed, mode: "solo" }),
          7,
          offense,
          "press",
        );
        if (result.outcome === "steal") {
          steals++;
          expect(result.points).toBe(0);
          expect(result.probability).toBeNull();
        }
      }
      expect(withinFourSigma(steals / SEEDS, STEAL_PROBABILITY, SEEDS)).toBe(true);
    }
  });

  it("never happen against Man or Zone", () => {
    for (let seed = 0; seed < 5_000; seed++) {
      const setup = createGameSetup({ seed, mode: "challenge" });
      for (const defense of ["man", "zone"] as const) {
        expect(resolvePossession(setup, seed % 9, "drive", defense).outcome).not.toBe("steal");
      }
    }
  });

  it("come from the same draw whatever the offense plays", () => {
    for (let seed = 0; seed < 2_000; seed++) {
      const setup = createGameSetup({ seed, mode: "challenge" });
      const stolen = OFFENSE_PLAYS.map((play) =>
        resolvePossession(setup, 3, play, "press").outcome === "steal"
      );
      expect(new Set(stolen).size).toBe(1);
    }
  });
});

describe("the shot clock", () => {
  it("gives a violation and no points when the offense does not pick", () => {
    for (let seed = 0; seed < 500; seed++) {
      const setup = createGameSetup({ seed, mode: "challenge" });
      for (const defense of [...DEFENSE_PLAYS, null]) {
        const result = resolvePossession(setup, seed % 5, null, defense);
        expect(result.outcome).toBe("violation");
        expect(result.points).toBe(0);
        expect(result.probability).toBeNull();
        expect(result.offensePick).toBeNull();
      }
    }
  });

  it("plays Man for a defense that does not pick, with the same outcome as Man", () => {
    for (let seed = 0; seed < 3_000; seed++) {
      const setup = createGameSetup({ seed, mode: "challenge" });
      for (const offense of OFFENSE_PLAYS) {
        const undefended = resolvePossession(setup, seed % 11, offense, null);
        const man = resolvePossession(setup, seed % 11, offense, "man");
        expect(undefended.defensePick).toBe("man");
        expect(undefended.defenseDefaulted).toBe(true);
        expect(man.defenseDefaulted).toBe(false);
        expect({ ...undefended, defenseDefaulted: false }).toEqual(man);
      }
    }
  });
});

describe("resolvePossession", () => {
  const setup = createGameSetup({ seed: 42, mode: "challenge" });

  it("puts home on offense for even k and away for odd k", () => {
    expect(resolvePossession(setup, 0, "drive", "man").offense).toBe("home");
    expect(resolvePossession(setup, 1, "drive", "man").offense).toBe("away");
    expect(resolvePossession(setup, 16, "drive", "man").offense).toBe("home");
  });

  it("gives the same result for the same seed, k and picks", () => {
    for (let k = 0; k < 50; k++) {
      expect(resolvePossession(setup, k, "three", "zone")).toEqual(
        resolvePossession({ ...setup }, k, "three", "zone"),
      );
    }
  });

  it("rejects plays that are not in the rules with a TypeError", () => {
    // @ts-expect-error: testing untyped input
    expect(() => resolvePossession(setup, 0, "dunk", "man")).toThrow(TypeError);
    // @ts-expect-error: testing untyped input
    expect(() => resolvePossession(setup, 0, "drive", "box")).toThrow(/Invalid defense play "box"/);
    // @ts-expect-error: testing untyped input
    expect(() => resolvePossession(setup, 0, undefined, "man")).toThrow(TypeError);
  });

  it("rejects a possession index that is negative or not an integer with a RangeError", () => {
    expect(() => resolvePossession(setup, -1, "drive", "man")).toThrow(RangeError);
    expect(() => resolvePossession(setup, 1.5, "drive", "man")).toThrow(/possession index "1.5"/);
    expect(() => resolvePossession(setup, Number.NaN, "drive", "man")).toThrow(RangeError);
    expect(() => resolvePossession(setup, 2 ** 32, "drive", "man")).toThrow(RangeError);
  });
});
