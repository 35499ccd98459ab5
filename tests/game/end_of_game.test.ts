import { describe, expect, it } from "vitest";
import {
  ABANDON_AFTER_DOUBLE_EXPIRIES,
  applyPossession,
  createGameSetup,
  forfeit,
  GameFinishedError,
  isFinished,
  newGame,
  type PossessionRecord,
  replayGame,
} from "../../src/game/mod.ts";
import { scriptedGame } from "./game_helpers.ts";

const DOUBLE: PossessionRecord = { offensePick: null, defensePick: null };
const VIOLATION: PossessionRecord = { offensePick: null, defensePick: "press" };
const UNDEFENDED: PossessionRecord = { offensePick: "three", defensePick: null };
const setup = createGameSetup({ seed: 77, mode: "challenge" });

describe("abandonment", () => {
  it("happens after exactly three possessions in a row with both shot clocks expired", () => {
    expect(ABANDON_AFTER_DOUBLE_EXPIRIES).toBe(3);
    const two = replayGame(setup, [DOUBLE, DOUBLE]);
    expect(two.status).toBe("active");
    expect(two.consecutiveDoubleExpiries).toBe(2);
    const three = applyPossession(setup, two, DOUBLE);
    expect(three.status).toBe("abandoned");
    expect(three.winner).toBeNull();
    expect(three.offense).toBeNull();
    expect(three.consecutiveDoubleExpiries).toBe(3);
    expect(three.log).toHaveLength(3);
    expect(isFinished(three)).toBe(true);
  });

  it("resets its count after a possession in which someone picked", () => {
    for (const picked of [VIOLATION, UNDEFENDED, { offensePick: "mid", defensePick: "zone" }]) {
      const state = replayGame(setup, [DOUBLE, DOUBLE, picked as PossessionRecord, DOUBLE, DOUBLE]);
      expect(state.status).toBe("active");
      expect(state.consecutiveDoubleExpiries).toBe(2);
      expect(applyPossession(setup, state, DOUBLE).status).toBe("abandoned");
    }
  });

  it("does not count a shot-clock violation against a defense that picked", () => {
    const state = replayGame(setup, Array.from({ length: 6 }, () => VIOLATION));
    expect(state.status).toBe("active");
    expect(state.consecutiveDoubleExpiries).toBe(0);
  });

  it("wins over a regulation result reached on the same possession", () => {
    const { setup: shortGame, records } = scriptedGame(2, ["two", "double", "double", "double"]);
    const state = replayGame(shortGame, records);
    expect(state.scores).toEqual({ home: 2, away: 0 });
    expect(state.status).toBe("abandoned");
    expect(state.winner).toBeNull();
  });
});

describe("forfeit", () => {
  it("ends an active game with a win for the other side, whatever the score", () => {
    const { setup: game, records } = scriptedGame(8, ["two", "zero", "two"]);
    const leading = replayGame(game, records);
    expect(leading.scores.home).toBe(4);
    const state = forfeit(leading, "home");
    expect(state.status).toBe("forfeited");
    expect(state.winner).toBe("away");
    expect(state.forfeitedBy).toBe("home");
    expect(state.offense).toBeNull();
    expect(state.scores).toEqual(leading.scores);
    expect(isFinished(state)).toBe(true);
  });

  it("works before the first possession", () => {
    const state = forfeit(newGame(setup), "away");
    expect(state.winner).toBe("home");
  });

  it("is replayed from the stored side", () => {
    const records: PossessionRecord[] = [UNDEFENDED, VIOLATION];
    expect(replayGame(setup, records, "away")).toEqual(forfeit(replayGame(setup, records), "away"));
    expect(replayGame(setup, records, null)).toEqual(replayGame(setup, records));
  });

  it("is refused for a game that is already over", () => {
    const over = replayGame(setup, [DOUBLE, DOUBLE, DOUBLE]);
    expect(() => forfeit(over, "home")).toThrow(GameFinishedError);
    expect(() => forfeit(forfeit(newGame(setup), "home"), "away")).toThrow(/already forfeited/);
    expect(() => replayGame(setup, [DOUBLE, DOUBLE, DOUBLE], "home")).toThrow(GameFinishedError);
  });

  it("rejects a side that is not home or away", () => {
    // @ts-expect-error: testing untyped input
    expect(() => forfeit(newGame(setup), "visitors")).toThrow(TypeError);
  });
});

describe("replayGame", () => {
  it("refuses records that come after the end of the game", () => {
    const { setup: game, records } = scriptedGame(1, ["two", "zero"]);
    expect(replayGame(game, records).status).toBe("completed");
    expect(() => replayGame(game, [...records, VIOLATION])).toThrow(GameFinishedError);
  });
});
