import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  DEFENSE_PLAYS,
  drawFor,
  HOUSE_SIDE,
  housePick,
  houseRole,
  OFFENSE_PLAYS,
  resolvePossession,
} from "../../src/game/mod.ts";

describe("the House", () => {
  it("plays away: defense on home possessions, offense on its own", () => {
    expect(HOUSE_SIDE).toBe("away");
    expect([0, 1, 2, 3, 16, 17].map(houseRole)).toEqual([
      "defense",
      "offense",
      "defense",
      "offense",
      "defense",
      "offense",
    ]);
  });

  it("picks the same play for the same seed, possession and role", () => {
    for (let k = 0; k < 200; k++) {
      expect(housePick(123, k, "offense")).toBe(housePick(123, k, "offense"));
      expect(housePick(123, k, "defense")).toBe(housePick(123, k, "defense"));
    }
  });

  it("uses every play and every defense about equally often", () => {
    const n = 30_000;
    const offense = new Map<string, number>();
    const defense = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const o = housePick(k * 7919, k % 64, "offense");
      const d = housePick(k * 7919, k % 64, "defense");
      offense.set(o, (offense.get(o) ?? 0) + 1);
      defense.set(d, (defense.get(d) ?? 0) + 1);
    }
    expect([...offense.keys()].sort()).toEqual([...OFFENSE_PLAYS].sort());
    expect([...defense.keys()].sort()).toEqual([...DEFENSE_PLAYS].sort());
    const bound = 4 * Math.sqrt(n * (1 / 3) * (2 / 3));
    for (const count of [...offense.values(), ...defense.values()]) {
      expect(Math.abs(count - n / 3)).toBeLessThan(bound);
    }
  });

  it("covers all plays within a single game's possessions", () => {
    const picks = new Set(Array.from({ length: 16 }, (_, k) => housePick(5, k, "offense")));
    expect(picks.size).toBe(3);
  });

  it("gives no hint of the shot: the make rate is the same whatever the House picked", () => {
    const n = 30_000;
    const made = new Map<string, number>();
    const seen = new Map<string, number>();
    for (let seed = 0; seed < n; seed++) {
      const setup = createGameSetup({ seed, mode: "solo" });
      const pick = housePick(seed, 1, "offense");
      seen.set(pick, (seen.get(pick) ?? 0) + 1);
      if (resolvePossession(setup, 1, "drive", "man").outcome === "made") {
        made.set(pick, (made.get(pick) ?? 0) + 1);
      }
    }
    for (const [pick, count] of seen) {
      const rate = (made.get(pick) ?? 0) / count;
      expect(Math.abs(rate - 0.55)).toBeLessThan(4 * Math.sqrt((0.55 * 0.45) / count));
    }
  });

  it("does not simply reuse the shot draw", () => {
    let same = 0;
    for (let k = 0; k < 1_000; k++) {
      const shotBucket = OFFENSE_PLAYS[Math.floor(drawFor(9, k, "shot") * 3)];
      if (housePick(9, k, "offense") === shotBucket) same++;
    }
    expect(same).toBeLessThan(450);
  });

  it("rejects a role that is not offense or defense", () => {
    // @ts-expect-error: testing untyped input
    expect(() => housePick(1, 0, "coach")).toThrow(TypeError);
  });
});
