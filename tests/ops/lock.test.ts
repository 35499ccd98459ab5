import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { acquireLock, readLock, StoreLockedError } from "../../src/ops/lock.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

describe("data directory lock", () => {
  it("records this process and refuses a second holder while it lives", async () => {
    const dir = await tempDir();
    const lock = acquireLock(dir);
    expect(readLock(dir)?.pid).toBe(Deno.pid);
    expect(() => acquireLock(dir)).toThrow(StoreLockedError);
    expect(() => acquireLock(dir)).toThrow(`already running as pid ${Deno.pid}`);
    lock.release();
    expect(readLock(dir)).toBeUndefined();
  });

  it("takes over a stale lock whose process is gone, and says whose it was", async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    await Deno.writeTextFile(
      join(dir, "blitz.lock"),
      JSON.stringify({ pid, startTime: "1", acquiredAt: "x" }),
    );
    const lock = acquireLock(dir);
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(readLock(dir)?.pid).toBe(Deno.pid);
    lock.release();
  });

  it("treats a lock whose pid now belongs to another process as stale", async () => {
    const dir = await tempDir();
    // pid 1 exists, but its start time is not the one recorded: the pid was reused.
    await Deno.writeTextFile(
      join(dir, "blitz.lock"),
      JSON.stringify({ pid: 1, startTime: "999999999", acquiredAt: "x" }),
    );
    const lock = acquireLock(dir);
    expect(lock.tookOverFrom?.pid).toBe(1);
    lock.release();
  });

  it("takes over an unreadable lock file", async () => {
    const dir = await tempDir();
    await Deno.writeTextFile(join(dir, "blitz.lock"), "garbage");
    const lock = acquireLock(dir);
    expect(readLock(dir)?.pid).toBe(Deno.pid);
    lock.release();
  });
});
