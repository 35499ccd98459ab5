import { describe, expect, it } from "vitest";
import {
  findGc,
  type HeapReading,
  shouldTrimHeap,
  startHeapTrimmer,
} from "../../src/ops/heap_trim.ts";

const MB = 1024 * 1024;
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

describe("the heap trimmer's rule", () => {
  it("trims when V8 holds more than the slack beyond what was live", () => {
    expect(shouldTrimHeap({ heapTotal: 68 * MB, heapUsed: 47 * MB }, 38 * MB, 24 * MB)).toBe(true);
    expect(shouldTrimHeap({ heapTotal: 60 * MB, heapUsed: 47 * MB }, 38 * MB, 24 * MB)).toBe(false);
  });
});

describe("the heap trimmer", () => {
  /** A heap that grows when told and shrinks to `live` when collected. */
  function fakeHeap(live: number) {
    const heap: HeapReading & { live: number; collections: number } = {
      heapTotal: live + 8 * MB,
      heapUsed: live,
      live,
      collections: 0,
    };
    return {
      heap,
      read: () => ({ heapTotal: heap.heapTotal, heapUsed: heap.heapUsed }),
      collect: () => {
        heap.collections++;
        heap.heapUsed = heap.live;
        heap.heapTotal = heap.live + 8 * MB;
      },
      grow: (bytes: number) => {
        heap.heapTotal += bytes;
        heap.heapUsed += bytes;
      },
    };
  }

  /** A trimmer on `fake` that looks every 10 ms; `extra` overrides the options. */
  const trimmerOn = (
    fake: ReturnType<typeof fakeHeap>,
    extra: Parameters<typeof startHeapTrimmer>[0] = {},
  ) =>
    startHeapTrimmer({
      checkEveryMs: 10,
      minGapMs: 0,
      slackBytes: 24 * MB,
      read: fake.read,
      collect: fake.collect,
      ...extra,
    });

  it("collects once after the heap grows while quiet, and not again until it grows again", async () => {
    const fake = fakeHeap(25 * MB);
    const trims: number[] = [];
    const stop = trimmerOn(fake, {
      onTrim: (before, after) => trims.push(before.heapTotal - after.heapTotal),
    });
    try {
      await tick();
      expect(fake.heap.collections).toBe(0); // 8 MB of slack: left alone

      fake.heap.live = 38 * MB; // 5,000 games opened: live grew, and garbage with it
      fake.grow(40 * MB);
      await tick();
      expect(fake.heap.collections).toBe(1);
      expect(trims[0]).toBe(73 * MB - 46 * MB); // 25 + 8 + 40 held, 38 + 8 after

      await tick(); // the heap is back near its live size: nothing to do
      expect(fake.heap.collections).toBe(1);

      fake.grow(30 * MB);
      await tick();
      expect(fake.heap.collections).toBe(2);
    } finally {
      stop();
    }
  });

  it("never pauses a busy process, and trims once it is quiet again", async () => {
    const fake = fakeHeap(25 * MB);
    let busy = true;
    const stop = trimmerOn(fake, { isBusy: () => busy });
    try {
      fake.grow(60 * MB);
      await tick(80);
      expect(fake.heap.collections).toBe(0);
      busy = false;
      await tick();
      expect(fake.heap.collections).toBe(1);
    } finally {
      stop();
    }
  });

  it("leaves at least minGapMs between two collections", async () => {
    const fake = fakeHeap(25 * MB);
    const stop = trimmerOn(fake, { minGapMs: 60_000 });
    try {
      fake.grow(60 * MB);
      await tick();
      expect(fake.heap.collections).toBe(1);
      fake.grow(60 * MB);
      await tick(80);
      expect(fake.heap.collections).toBe(1);
    } finally {
      stop();
    }
  });

  it("stops looking when stopped", async () => {
    const fake = fakeHeap(25 * MB);
    const stop = trimmerOn(fake);
    stop();
    fake.grow(100 * MB);
    await tick();
    expect(fake.heap.collections).toBe(0);
  });

  it("gets a real full collection from V8 that frees unreachable memory", () => {
    const gc = findGc();
    expect(gc).toBeTypeOf("function");
    let garbage: number[][] | null = Array.from(
      { length: 40 },
      () => new Array(64 * 1024).fill(1.5),
    );
    expect(garbage.length).toBe(40);
    garbage = null;
    const before = Deno.memoryUsage().heapUsed;
    gc!();
    const after = Deno.memoryUsage().heapUsed;
    expect(before - after).toBeGreaterThan(10 * MB);
  });
});
