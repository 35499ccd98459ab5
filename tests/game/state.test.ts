import { describe, expect, it } from "vitest";
import {
  applyPossession,
  createGameSetup,
  currentDefense,
  currentOffense,
  GameFinishedError,
  type GameState,
  isFinished,
  newGame,
  offenseFor,
  type PossessionRecord,
  replayGame,
  resolvePossession,
} from "../../src/game/mod.ts";
import { scriptedGame } from "./game_helpers.ts";

/** Applies records one by one, keeping every intermediate state. */
function playAll(
  setup: ReturnType<typeof createGameSetup>,
  records: PossessionRecord[],
): GameState[] {
  const states = [newGame(setup)];
  for (const record of records) states.push(applyPossession(setup, states.at(-1)!, record));
  return states;
}

const MISS: PossessionRecord = { offensePick: null, defensePick: "zone" };
const DOUBLE: PossessionRecord = { offensePick: null, defensePick: null };

describe("a new game", () => {
  it("starts 0-0, active, with home on offense in regulation", () => {
    const state = newGame(createGameSetup({ seed: 1, mode: "solo" }));
    expect(state).toEqual({
      scores: { home: 0, away: 0 },
      k: 0,
      offense: "home",
      period: 0,
      status: "active",
      winner: null,
      forfeitedBy: null,
      consecutiveDoubleExpiries: 0,
      log: [],
    });
    expect(currentOffense(state)).toBe("home");
    expect(currentDefense(state)).toBe("away");
  });
});

describe("possessions", () => {
  it("alternate between the sides, home first", () => {
    const setup = createGameSetup({ seed: 9, mode: "challenge" });
    const records = Array.from({ length: 16 }, (): PossessionRecord => ({
      offensePick: "mid",
      defensePick: "man",
    }));
    const states = playAll(setup, records);
    for (const [k, state] of states.slice(0, 16).entries()) {
      expect(state.k).toBe(k);
      expect(currentOffense(state)).toBe(k % 2 === 0 ? "home" : "away");
      expect(offenseFor(k)).toBe(currentOffense(state));
    }
    expect(states.at(-1)!.log.map((result) => result.offense)).toEqual(
      Array.from({ length: 16 }, (_, k) => (k % 2 === 0 ? "home" : "away")),
    );
  });

  it("add the offense's points to its score", () => {
    const { setup, records } = scriptedGame(8, ["two", "zero", "zero", "two", "two"]);
    const state = replayGame(setup, records);
    expect(state.scores).toEqual({ home: 4, away: 2 });
    expect(state.log.map((result) => result.points)).toEqual([2, 0, 0, 2, 2]);
  });

  it("resolve possession k the same whatever was picked before it", () => {
    const setup = createGameSetup({ seed: 2024, mode: "challenge" });
    const tail: PossessionRecord[] = [
      { offensePick: "three", defensePick: "press" },
      { offensePick: "drive", defensePick: "zone" },
    ];
    const gameA = replayGame(setup, [
      { offensePick: "drive", defensePick: "man" },
      { offensePick: "three", defensePick: "zone" },
      { offensePick: null, defensePick: "press" },
      ...tail,
    ]);
    const gameB = replayGame(setup, [
      MISS,
      { offensePick: "mid", defensePick: null },
      MISS,
      ...tail,
    ]);
    for (const k of [3, 4]) {
      const record = tail[k - 3]!;
      expect(gameA.log[k]).toEqual(gameB.log[k]);
      expect(gameA.log[k]).toEqual(
        resolvePossession(setup, k, record.offensePick, record.defensePick),
      );
    }
  });

  it("are refused with GameFinishedError once the game is over", () => {
    const setup = createGameSetup({ seed: 3, mode: "challenge", possessionsPerSide: 1 });
    const over = replayGame(setup, [DOUBLE, DOUBLE, DOUBLE]);
    expect(() => applyPossession(setup, over, MISS)).toThrow(GameFinishedError);
    expect(() => applyPossession(setup, over, MISS)).toThrow(
      "Cannot play possession 3: the game is already abandoned",
    );
  });

  it("reject a record with an unknown play with a TypeError", () => {
    const setup = createGameSetup({ seed: 3, mode: "challenge" });
    const bad = { offensePick: "alley-oop", defensePick: "man" } as unknown as PossessionRecord;
    expect(() => applyPossession(setup, newGame(setup), bad)).toThrow(TypeError);
  });
});

describe("regulation", () => {
  it("ends after possessionsPerSide possessions each when a side leads", () => {
    const { setup, records } = scriptedGame(2, ["two", "zero", "zero", "zero"]);
    const states = playAll(setup, records);
    for (const state of states.slice(0, 4)) {
      expect(state.status).toBe("active");
      expect(state.period).toBe(0);
    }
    const final = states.at(-1)!;
    expect(final.status).toBe("completed");
    expect(final.winner).toBe("home");
    expect(final.scores).toEqual({ home: 2, away: 0 });
    expect(final.offense).toBeNull();
    expect(currentOffense(final)).toBeNull();
    expect(isFinished(final)).toBe(true);
  });

  it("does not end early when one side leads before the other has had its last possession", () => {
    const { setup, records } = scriptedGame(1, ["two", "zero"]);
    const afterHome = applyPossession(setup, newGame(setup), records[0]!);
    expect(afterHome.scores).toEqual({ home: 2, away: 0 });
    expect(afterHome.status).toBe("active");
    expect(currentOffense(afterHome)).toBe("away");
  });

  it("lets the away side win on its last possession", () => {
    const { setup, records } = scriptedGame(2, ["zero", "zero", "zero", "two"]);
    const final = replayGame(setup, records);
    expect(final.status).toBe("completed");
    expect(final.winner).toBe("away");
    expect(final.k).toBe(4);
  });
});

describe("overtime", () => {
  it("starts when regulation ends tied and repeats until a side leads after equal possessions", () => {
    const { setup, records } = scriptedGame(1, ["zero", "zero", "two", "two", "zero", "two"]);
    const states = playAll(setup, records);
    expect(states.map((state) => state.status)).toEqual([
      "active",
      "active",
      "active", // 0-0 after regulation: overtime 1
      "active", // home leads 2-0, away still to play
      "active", // 2-2 after overtime 1: overtime 2
      "active",
      "completed",
    ]);
    expect(states.map((state) => state.period)).toEqual([0, 0, 1, 1, 2, 2, 2]);
    expect(states.map((state) => state.offense)).toEqual([
      "home",
      "away",
      "home",
      "away",
      "home",
      "away",
      null,
    ]);
    const final = states.at(-1)!;
    expect(final.winner).toBe("away");
    expect(final.scores).toEqual({ home: 2, away: 4 });
  });

  it("ends after the away possession of an overtime in which home scored and away did not", () => {
    const { setup, records } = scriptedGame(2, ["zero", "zero", "zero", "zero", "two", "zero"]);
    const states = playAll(setup, records);
    expect(states[5]!.status).toBe("active");
    expect(states[6]!.status).toBe("completed");
    expect(states[6]!.winner).toBe("home");
    expect(states[6]!.period).toBe(1);
  });

  it("keeps going through many scoreless overtimes", () => {
    const setup = createGameSetup({ seed: 11, mode: "challenge", possessionsPerSide: 1 });
    const state = replayGame(setup, Array.from({ length: 42 }, () => MISS));
    expect(state.status).toBe("active");
    expect(state.period).toBe(21);
    expect(state.consecutiveDoubleExpiries).toBe(0);
  });
});
