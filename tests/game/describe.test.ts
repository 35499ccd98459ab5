import { describe, expect, it } from "vitest";
import {
  createGameSetup,
  DEFENSE_LABELS,
  describePeriod,
  describePossession,
  describeResult,
  describeScore,
  forfeit,
  newGame,
  OFFENSE_LABELS,
  parseDefensePlay,
  parseOffensePlay,
  type PossessionResult,
  replayGame,
} from "../../src/game/mod.ts";
import { scriptedGame } from "./game_helpers.ts";

const base: PossessionResult = {
  k: 0,
  offense: "home",
  offensePick: "three",
  defensePick: "zone",
  defenseDefaulted: false,
  outcome: "made",
  points: 3,
  probability: 0.42,
};

describe("describePossession", () => {
  it("writes a made shot with its points", () => {
    expect(describePossession(base)).toBe("Home: Three vs Zone — made, +3");
  });

  it("writes misses, steals and an undefended possession", () => {
    expect(describePossession({ ...base, offense: "away", outcome: "missed", points: 0 })).toBe(
      "Away: Three vs Zone — missed",
    );
    expect(
      describePossession({
        ...base,
        offensePick: "drive",
        defensePick: "press",
        outcome: "steal",
        points: 0,
        probability: null,
      }),
    ).toBe("Home: Drive vs Press — stolen");
    expect(
      describePossession({
        ...base,
        offensePick: "mid",
        defensePick: "man",
        defenseDefaulted: true,
        points: 2,
      }),
    ).toBe("Home: Mid-range vs Man (shot clock) — made, +2");
  });

  it("writes a shot-clock violation", () => {
    expect(
      describePossession({
        ...base,
        offensePick: null,
        outcome: "violation",
        points: 0,
        probability: null,
      }),
    ).toBe("Home: shot-clock violation — no points");
  });
});

describe("labels and parsing", () => {
  it("names every play as the rules do", () => {
    expect(OFFENSE_LABELS).toEqual({ drive: "Drive", mid: "Mid-range", three: "Three" });
    expect(DEFENSE_LABELS).toEqual({ man: "Man", zone: "Zone", press: "Press" });
  });

  it("parses button values and rejects others with a TypeError", () => {
    expect(parseOffensePlay("three")).toBe("three");
    expect(parseDefensePlay("press")).toBe("press");
    expect(() => parseOffensePlay("Three")).toThrow(
      'Invalid offense play "Three": expected one of drive, mid, three',
    );
    expect(() => parseDefensePlay(undefined)).toThrow(TypeError);
  });
});

describe("game summaries", () => {
  it("name periods", () => {
    expect([0, 1, 2].map(describePeriod)).toEqual(["Regulation", "Overtime", "Overtime 2"]);
    expect(() => describePeriod(-1)).toThrow(RangeError);
  });

  it("describe the score and the result", () => {
    const { setup, records } = scriptedGame(1, ["two", "zero"]);
    const state = replayGame(setup, records);
    expect(describeScore(state)).toBe("Home 2 – 0 Away");
    expect(describeResult(state)).toBe("Home wins 2–0");
    const fresh = newGame(createGameSetup({ seed: 1, mode: "solo" }));
    expect(describeResult(fresh)).toBe("In progress: Home 0 – 0 Away");
    expect(describeResult(forfeit(fresh, "home"))).toBe("Away wins by forfeit");
    const double = { offensePick: null, defensePick: null };
    expect(describeResult(replayGame(setup, [double, double, double]))).toBe(
      "Abandoned: both sides let the shot clock expire 3 times in a row",
    );
  });
});
