import { describe, expect, it } from "vitest";
import {
  findGc,
  type HeapReading,
  shouldTrimHeap,
  startHeapTrimmer,
} from "../../src/ops/heap_trim.ts";
import { findMallocTrim, GLIBC_PATHS } from "../../src/ops/native_trim.ts";

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
      trimNative: null,
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

  it("trims the C heap once after start, once each time it goes quiet after being busy, and after each collection", async () => {
    const fake = fakeHeap(25 * MB);
    let busy = false;
    let nativeTrims = 0;
    const stop = trimmerOn(fake, {
      isBusy: () => busy,
      trimNative: () => {
        nativeTrims++;
        return true;
      },
    });
    try {
      await tick();
      expect(nativeTrims).toBe(1); // after start, then nothing while it stays quiet
      busy = true;
      await tick();
      expect(nativeTrims).toBe(1); // never while busy
      busy = false;
      await tick();
      expect(nativeTrims).toBe(2); // quiet again: once
      expect(fake.heap.collections).toBe(0);
      fake.grow(60 * MB);
      await tick();
      expect(fake.heap.collections).toBe(1);
      expect(nativeTrims).toBe(3); // the collection freed off-heap buffers too
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

/** This process's anonymous RSS in bytes (Linux). */
function anonymousBytes(): number {
  const rollup = Deno.readTextFileSync("/proc/self/smaps_rollup");
  return Number(/^Anonymous:\s+(\d+) kB/m.exec(rollup)?.[1] ?? NaN) * 1024;
}

describe("glibc's malloc_trim through FFI", () => {
  const libc = GLIBC_PATHS.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });

  it.skipIf(Deno.build.os !== "linux" || !libc)(
    "returns the C heap's free pages to the OS",
    () => {
      const trim = findMallocTrim();
      expect(trim).toBeTypeOf("function");
      const c = Deno.dlopen(libc!, {
        malloc: { parameters: ["usize"], result: "pointer" },
        free: { parameters: ["pointer"], result: "void" },
        memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
      });
      try {
        // 40 MiB in 1 KiB chunks, touched, then freed but for the last one: glibc keeps the pages
        // below it, as it does after a burst.
        const chunks = Array.from({ length: 40 * 1024 }, () => c.symbols.malloc(1024n));
        for (const chunk of chunks) c.symbols.memset(chunk, 1, 1024n);
        for (const chunk of chunks.slice(0, -1)) c.symbols.free(chunk);
        const held = anonymousBytes();
        expect(trim!()).toBe(true);
        const after = anonymousBytes();
        expect(held - after).toBeGreaterThan(30 * MB);
        c.symbols.free(chunks.at(-1)!);
      } finally {
        c.close();
      }
    },
  );

  it("is not found without the FFI permission, and never asks for it", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const probe = `${dir}/probe.ts`;
      await Deno.writeTextFile(
        probe,
        `import { findMallocTrim } from ${
          JSON.stringify(new URL("../../src/ops/native_trim.ts", import.meta.url).href)
        };\nconsole.log(typeof findMallocTrim());\n`,
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-config", "--allow-read", probe], // no --allow-ffi
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      expect(new TextDecoder().decode(out.stderr)).toBe("");
      expect(new TextDecoder().decode(out.stdout).trim()).toBe("undefined");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
