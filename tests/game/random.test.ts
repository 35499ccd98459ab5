import { describe, expect, it } from "vitest";
import { drawFor, type DrawStream } from "../../src/game/mod.ts";

/** Counts of `draws` in ten equal buckets of [0, 1). */
function deciles(draws: number[]): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const draw of draws) counts[Math.floor(draw * 10)]! += 1;
  return counts;
}

/** Expects every decile within four standard deviations of a tenth of the draws. */
function expectUniform(draws: number[]): void {
  const n = draws.length;
  const sd = Math.sqrt(n * 0.1 * 0.9);
  for (const count of deciles(draws)) {
    expect(Math.abs(count - n / 10)).toBeLessThan(4 * sd);
  }
}

describe("drawFor", () => {
  it("returns a float in [0, 1)", () => {
    for (let k = 0; k < 1_000; k++) {
      const draw = drawFor(0xffffffff, k);
      expect(draw).toBeGreaterThanOrEqual(0);
      expect(draw).toBeLessThan(1);
    }
  });

  it("depends only on seed, k and stream", () => {
    const first = Array.from({ length: 100 }, (_, k) => drawFor(1234, k, "shot"));
    drawFor(99, 5, "steal");
    drawFor(1234, 200, "houseOffense");
    const second = Array.from({ length: 100 }, (_, k) => drawFor(1234, k, "shot"));
    expect(second).toEqual(first);
  });

  it("gives a different draw for every possession and every seed", () => {
    expect(new Set(Array.from({ length: 10_000 }, (_, k) => drawFor(4, k))).size).toBe(10_000);
    expect(new Set(Array.from({ length: 10_000 }, (_, seed) => drawFor(seed, 4))).size).toBe(
      10_000,
    );
  });

  it("is uniform across consecutive seeds for one k", () => {
    expectUniform(Array.from({ length: 20_000 }, (_, seed) => drawFor(seed, 3)));
  });

  it("is uniform across possessions for one seed", () => {
    expectUniform(Array.from({ length: 20_000 }, (_, k) => drawFor(77, k)));
  });

  it("gives different, uncorrelated values on different streams", () => {
    const streams: DrawStream[] = ["steal", "shot", "houseOffense", "houseDefense"];
    for (const a of streams) {
      for (const b of streams) {
        if (a === b) continue;
        let sumA = 0;
        let sumB = 0;
        let sumAB = 0;
        let equal = 0;
        const n = 20_000;
        for (let seed = 0; seed < n; seed++) {
          const x = drawFor(seed, seed % 40, a);
          const y = drawFor(seed, seed % 40, b);
          if (x === y) equal++;
          sumA += x;
          sumB += y;
          sumAB += x * y;
        }
        expect(equal).toBe(0);
        const covariance = sumAB / n - (sumA / n) * (sumB / n);
        const correlation = covariance / (1 / 12);
        expect(Math.abs(correlation)).toBeLessThan(4 / Math.sqrt(n));
      }
    }
  });

  it("rejects a seed that is not an unsigned 32-bit integer with a RangeError", () => {
    expect(() => drawFor(-1, 0)).toThrow(RangeError);
    expect(() => drawFor(2 ** 32, 0)).toThrow(/Invalid seed "4294967296"/);
    expect(() => drawFor(0.5, 0)).toThrow(RangeError);
  });
});
