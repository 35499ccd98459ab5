import { describe, expect, it } from "vitest";
import {
  type AlertDecision,
  type AlertTrack,
  decideAlert,
  initialTrack,
} from "../../src/ops/alert_state.ts";
import type { Severity } from "../../src/ops/alert_rules.ts";
import { fakeTime } from "../_helpers/fake_time.ts";

const COOLDOWN = 5 * 60_000;

/** Feeds a sequence of (minutes from start, severity) and returns the decisions made. */
function run(steps: [number, Severity | null][]): string[] {
  const time = fakeTime(0);
  let track: AlertTrack = initialTrack();
  const out: string[] = [];
  for (const [minute, severity] of steps) {
    time.set(minute * 60_000);
    const result = decideAlert(track, severity, time.now(), COOLDOWN);
    track = result.track;
    out.push(label(result.decision, minute));
  }
  return out.filter(Boolean);
}

function label(decision: AlertDecision, minute: number): string {
  switch (decision.kind) {
    case "fire":
      return `${minute}: ${decision.reminder ? "remind" : "fire"} ${decision.severity}`;
    case "suppress":
      return `${minute}: suppress ${decision.severity}`;
    case "resolve":
      return `${minute}: resolve ${decision.previous}`;
    default:
      return "";
  }
}

describe("the alert cooldown state machine", () => {
  it("sends one alert when a rule trips and nothing more while it stays within the cooldown", () => {
    expect(run([[0, null], [1, "warning"], [2, "warning"], [3, "warning"], [5.9, "warning"]]))
      .toEqual(["1: fire warning"]);
  });

  it("reminds once per cooldown while the rule stays tripped", () => {
    expect(run([[0, "warning"], [4, "warning"], [5, "warning"], [9, "warning"], [10, "warning"]]))
      .toEqual(["0: fire warning", "5: remind warning", "10: remind warning"]);
  });

  it("sends a resolved message when it clears, once", () => {
    expect(run([[0, "critical"], [1, "critical"], [2, null], [3, null]])).toEqual([
      "0: fire critical",
      "2: resolve critical",
    ]);
  });

  it("escalates at once to critical, and the critical alert has its own cooldown", () => {
    expect(
      run([[0, "warning"], [1, "critical"], [2, "critical"], [3, "warning"], [4, null]]),
    ).toEqual(["0: fire warning", "1: fire critical", "3: suppress warning", "4: resolve warning"]);
  });

  it("suppresses a flapping rule's new trip within the cooldown, and stays quiet when it clears", () => {
    expect(
      run([[0, "warning"], [1, null], [2, "warning"], [3, null], [6, "warning"], [7, null]]),
    ).toEqual([
      "0: fire warning",
      "1: resolve warning",
      "2: suppress warning",
      "6: fire warning",
      "7: resolve warning",
    ]);
  });

  it("announces a suppressed trip once the cooldown has passed", () => {
    expect(run([[0, "info"], [1, null], [2, "info"], [4, "info"], [5, "info"], [6, null]]))
      .toEqual([
        "0: fire info",
        "1: resolve info",
        "2: suppress info",
        "5: fire info",
        "6: resolve info",
      ]);
  });

  it("does not change the track it was given", () => {
    const track = initialTrack();
    decideAlert(track, "critical", 0, COOLDOWN);
    expect(track).toEqual(initialTrack());
  });
});
