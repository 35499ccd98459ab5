/**
 * The answer-time split of `bench/trace_report.ts`: the load generator's trace lined up with the
 * bot's by interaction id.
 */
import { describe, expect, it } from "vitest";
import { joinTraces, report } from "../../bench/trace_report.ts";

// Sent at 1000.0 and answered 12 ms later: 2 ms in, 1 ms in the bot, 9 ms out.
const LOADGEN = [
  "1000.0 12.00 111",
  "1002.0 1.50 222",
  "1004.0 3.00 333", // the bot never saw it (not in its trace): left out
].join("\n");
const BOT = [
  "W 111 1002.00",
  "F 111 1003.00",
  "R 111 1011.50",
  "W 222 1002.30",
  "F 222 1002.50",
  "F 222 1003.00", // a retry: the first attempt counts
  "R 222 1003.40",
].join("\n");

describe("the answer-time split", () => {
  it("gives each answer its way in, its time in the bot and its way back", () => {
    const answers = joinTraces(LOADGEN, BOT);
    expect(answers.map((a) => a.id)).toEqual(["111", "222"]);
    const [slow, fast] = answers;
    expect(slow!.inMs).toBeCloseTo(2);
    expect(slow!.botMs).toBeCloseTo(1);
    expect(slow!.outMs).toBeCloseTo(9);
    expect(fast!.inMs).toBeCloseTo(0.3);
    expect(fast!.botMs).toBeCloseTo(0.2);
    expect(fast!.outMs).toBeCloseTo(1);
  });

  it("names the leg that held each slow answer and lists the bot's own stalls", () => {
    const stalled = "1010.0 8.00 444";
    const answers = joinTraces(
      `${LOADGEN}\n${stalled}`,
      `${BOT}\nW 444 1010.50\nF 444 1016.50\nR 444 1017.00`,
    );
    const text = report(answers, 0, 5);
    expect(text).toContain("3 answers after the first 0 s");
    expect(text).toContain(
      "2 answers took 5 ms or more; the longest leg was in: 0, bot: 1, out: 1",
    );
    expect(text).toContain("1 bot legs over 4 ms");
    expect(text).toMatch(/0\.01 s {2}6\.0 ms/);
  });

  it("says so when the two traces share no interaction", () => {
    expect(report(joinTraces(LOADGEN, "W 999 1.00\nF 999 2.00"), 5, 10)).toMatch(
      /no answer is in both/,
    );
  });
});
