/**
 * The alert cooldown state machine, pure: given what a rule was, what it is now and the time,
 * decide whether to send an alert, a reminder, a "resolved" message, or nothing.
 *
 * - A rule that trips sends an alert, unless one of the same (rule, severity) went out less
 *   than a cooldown ago (then it is suppressed, and counted).
 * - While it stays tripped at the same severity, a reminder goes out once per cooldown.
 * - A change of severity is a new alert at the new severity (with that severity's cooldown).
 * - When it clears, a "resolved" message follows — only if an alert of this trip was sent.
 */
import type { Severity } from "./alert_rules.ts";

/** What the machine remembers about one rule. */
export interface AlertTrack {
  /** Current severity; null while fine. */
  severity: Severity | null;
  /** When the current trip began (ms epoch). */
  since?: number;
  /** Was an alert of the current trip sent? */
  announced: boolean;
  /** When an alert of each severity was last sent (ms epoch). */
  lastSent: Partial<Record<Severity, number>>;
}

/** What to do now. */
export type AlertDecision =
  | { kind: "fire"; severity: Severity; reminder: boolean }
  | { kind: "suppress"; severity: Severity }
  | { kind: "resolve"; previous: Severity; since: number }
  | { kind: "none" };

/** A rule never seen before. */
export function initialTrack(): AlertTrack {
  return { severity: null, announced: false, lastSent: {} };
}

/** Decides, and returns the new track. `track` is not changed. */
export function decideAlert(
  track: AlertTrack,
  severity: Severity | null,
  nowMs: number,
  cooldownMs: number,
): { track: AlertTrack; decision: AlertDecision } {
  if (severity === null) {
    if (track.severity === null) return { track, decision: { kind: "none" } };
    const next: AlertTrack = { severity: null, announced: false, lastSent: { ...track.lastSent } };
    return {
      track: next,
      decision: track.announced
        ? { kind: "resolve", previous: track.severity, since: track.since ?? nowMs }
        : { kind: "none" },
    };
  }
  const lastSent = track.lastSent[severity];
  const cooled = lastSent === undefined || nowMs - lastSent >= cooldownMs;
  const since = track.severity === null ? nowMs : track.since ?? nowMs;
  if (severity !== track.severity) {
    if (!cooled) {
      return {
        track: { ...track, severity, since },
        decision: { kind: "suppress", severity },
      };
    }
    return {
      track: {
        severity,
        since,
        announced: true,
        lastSent: { ...track.lastSent, [severity]: nowMs },
      },
      decision: { kind: "fire", severity, reminder: false },
    };
  }
  if (!cooled) return { track, decision: { kind: "none" } };
  return {
    track: { ...track, announced: true, lastSent: { ...track.lastSent, [severity]: nowMs } },
    decision: { kind: "fire", severity, reminder: track.announced },
  };
}
