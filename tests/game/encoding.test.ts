import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  decodeRecords,
  DEFENSE_PLAYS,
  encodeRecords,
  OFFENSE_PLAYS,
  type PossessionRecord,
  replayGame,
} from "../../src/game/mod.ts";

const ALL_RECORDS: PossessionRecord[] = [null, ...OFFENSE_PLAYS].flatMap((offensePick) =>
  [null, ...DEFENSE_PLAYS].map((defensePick) => ({ offensePick, defensePick }))
);

describe("encodeRecords / decodeRecords", () => {
  it("round-trips each of the 16 pick combinations through one distinct character", () => {
    expect(ALL_RECORDS).toHaveLength(16);
    const codes = ALL_RECORDS.map((record) => encodeRecords([record]));
    for (const [i, code] of codes.entries()) {
      expect(code).toHaveLength(1);
      expect(decodeRecords(code)).toEqual([ALL_RECORDS[i]]);
    }
    expect(new Set(codes).size).toBe(16);
    expect(codes.join("")).toBe("0123456789abcdef");
  });

  it("round-trips a sequence and keeps its order", () => {
    const records = [...ALL_RECORDS].reverse().concat(ALL_RECORDS);
    expect(decodeRecords(encodeRecords(records))).toEqual(records);
  });

  it("encodes an empty game as an empty string", () => {
    expect(encodeRecords([])).toBe("");
    expect(decodeRecords("")).toEqual([]);
  });

  it("stores a full 8-possession-per-side game in well under 50 bytes", () => {
    const setup = createGameSetup({ seed: 5, mode: "challenge" });
    const records = Array.from(
      { length: 16 },
      (_, k): PossessionRecord => ({ offensePick: "three", defensePick: k % 2 ? "zone" : null }),
    );
    const encoded = encodeRecords(records);
    expect(new TextEncoder().encode(encoded).byteLength).toBe(16);
    expect(replayGame(setup, decodeRecords(encoded))).toEqual(replayGame(setup, records));
  });

  it("rejects characters that are not lowercase hex digits with a RangeError", () => {
    for (const garbage of ["g", "01x", "A", " 0", "0-", "é", "\u0000", "12345678Z"]) {
      expect(() => decodeRecords(garbage)).toThrow(RangeError);
    }
    expect(() => decodeRecords("01x")).toThrow(/character "x" at position 2/);
  });

  it("rejects input that is not a string with a TypeError", () => {
    // @ts-expect-error: testing untyped input
    expect(() => decodeRecords(null)).toThrow(TypeError);
    // @ts-expect-error: testing untyped input
    expect(() => decodeRecords(12)).toThrow(TypeError);
  });

  it("refuses to encode a record with an unknown play", () => {
    // @ts-expect-error: testing untyped input
    expect(() => encodeRecords([{ offensePick: "dunk", defensePick: null }])).toThrow(
      /Invalid offense play "dunk"/,
    );
    // @ts-expect-error: testing untyped input
    expect(() => encodeRecords([{ offensePick: null }])).toThrow(TypeError);
  });
});
