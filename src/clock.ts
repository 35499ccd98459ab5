/** Time as a dependency, so tests can move it without sleeping. */

/** Reads the time. Everything that needs "now" takes a Clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
