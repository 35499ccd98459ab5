import { describe, expect, it } from "vitest";
import { createPauseGate } from "../../src/ops/backup/pause_gate.ts";

describe("the pause gate an in-process restore uses", () => {
  it("runs work at once while open", async () => {
    const gate = createPauseGate();
    expect(await gate.run(() => Promise.resolve(42))).toBe(42);
    expect(gate.inFlight).toBe(0);
  });

  it("holds new work while paused and lets it through, in order, on resume", async () => {
    const gate = createPauseGate();
    await gate.pause();
    const ran: number[] = [];
    const a = gate.run(() => Promise.resolve(ran.push(1)));
    const b = gate.run(() => Promise.resolve(ran.push(2)));
    await new Promise((r) => setTimeout(r, 10));
    expect(ran).toEqual([]);
    gate.resume();
    await Promise.all([a, b]);
    expect(ran).toEqual([1, 2]);
  });

  it("pause() waits for work already running to finish, but not forever", async () => {
    const gate = createPauseGate({ drainTimeoutMs: 200 });
    let finish!: () => void;
    const running = gate.run(() => new Promise<void>((resolve) => (finish = resolve)));
    let paused = false;
    const pausing = gate.pause().then(() => (paused = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(paused).toBe(false);
    finish();
    await running;
    await pausing;
    expect(paused).toBe(true);
    gate.resume();

    const stuck = createPauseGate({ drainTimeoutMs: 50 });
    stuck.run(() => new Promise(() => {}));
    const started = Date.now();
    await stuck.pause();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(stuck.inFlight).toBe(1);
  });
});
