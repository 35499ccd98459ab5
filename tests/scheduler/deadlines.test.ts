import { describe, expect, it } from "vitest";
import { createDeadlineQueue } from "../../src/scheduler/deadlines.ts";

/** A clock and timers that move only when told, counting the timers set. */
function manualTime() {
  let now = 1_000;
  let nextId = 1;
  let set = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    /** Timers set so far. */
    set: () => set,
    clock: { now: () => now },
    timers: {
      setTimeout(fn: () => void, ms: number) {
        set++;
        const id = nextId++;
        pending.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimeout: (id: number) => void pending.delete(id),
    },
    /** Moves time to `to`, firing the timers due on the way, in order. */
    advance(to: number) {
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = to;
    },
    armed: () => pending.size,
  };
}

function setup() {
  const time = manualTime();
  const fired: [string, number][] = [];
  const queue = createDeadlineQueue({
    clock: time.clock,
    timers: time.timers,
    onDue: (key) => fired.push([key, time.clock.now()]),
  });
  queue.start();
  return { time, fired, queue };
}

describe("the deadline queue", () => {
  it("fires each deadline at its time, in order, with one timer armed", () => {
    const { time, fired, queue } = setup();
    queue.schedule("b", 3_000);
    queue.schedule("a", 2_000);
    queue.schedule("c", 4_000);
    expect(time.armed()).toBe(1);
    time.advance(5_000);
    expect(fired).toEqual([["a", 2_000], ["b", 3_000], ["c", 4_000]]);
    expect(queue.size()).toBe(0);
  });

  it("fires a moved deadline at its new time only, and a cancelled one never", () => {
    const { time, fired, queue } = setup();
    queue.schedule("a", 2_000);
    queue.schedule("b", 2_500);
    queue.schedule("a", 6_000); // a pick moved the shot clock
    queue.cancel("b");
    time.advance(5_000);
    expect(fired).toEqual([]);
    time.advance(7_000);
    expect(fired).toEqual([["a", 6_000]]);
  });

  it("keeps its timer when the earliest deadline moves later, and wakes up once for it", () => {
    const { time, fired, queue } = setup();
    queue.schedule("a", 2_000);
    const setBefore = time.set();
    for (let i = 1; i <= 50; i++) queue.schedule("a", 2_000 + i * 1_000); // 50 picks
    expect(time.set()).toBe(setBefore);
    time.advance(2_000); // the early wake-up: nothing due, armed for the new deadline
    expect(fired).toEqual([]);
    expect(time.armed()).toBe(1);
    time.advance(60_000);
    expect(fired).toEqual([["a", 52_000]]);
  });

  it("re-arms at once for a deadline earlier than the one armed", () => {
    const { time, fired, queue } = setup();
    queue.schedule("a", 10_000);
    queue.schedule("b", 3_000);
    time.advance(3_000);
    expect(fired).toEqual([["b", 3_000]]);
  });
});
