/** A clock and timers that only move when a test says so: no sleeping in tests. */
import type { Clock } from "../../src/clock.ts";
import type { Timers } from "../../src/scheduler/deadlines.ts";

/** Fake time: `advance(ms)` moves the clock and fires due timers in order. */
export interface FakeTime extends Clock, Timers {
  advance(ms: number): void;
  set(at: number): void;
  pending(): number;
}

/** Creates fake time starting at `start` (ms epoch). */
export function fakeTime(start = Date.UTC(2026, 10, 22, 12, 0, 0)): FakeTime {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fireDue = () => {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) {
        if (entry[1].at <= now && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) return;
      timers.delete(next[0]);
      next[1].fn();
    }
  };
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let earliest: number | undefined;
        for (const t of timers.values()) {
          if (t.at <= target && (earliest === undefined || t.at < earliest)) earliest = t.at;
        }
        if (earliest === undefined) break;
        now = Math.max(now, earliest);
        fireDue();
      }
      now = target;
    },
    set(at) {
      now = at;
    },
    pending: () => timers.size,
  };
}
