/**
 * One instance per data directory: `<data>/blitz.lock` holds the owner's pid and process
 * start time. A lock whose process is gone (or whose pid now belongs to another process)
 * is stale and is taken over.
 */
import { join } from "node:path";

/** The data directory is held by a live process. Exit code 75. */
export class StoreLockedError extends Error {
  override name = "StoreLockedError";
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `Cannot use data directory "${dataDir}": Blitz is already running as pid ${pid} ` +
        `(stop it with "kill ${pid}", or use another BLITZ_DATA_DIR)`,
    );
  }
}

/** What a lock file says. */
export interface LockInfo {
  pid: number;
  /** Process start time from /proc (clock ticks since boot), "" where unknown. */
  startTime: string;
  acquiredAt: string;
}

/** A held lock. */
export interface DataDirLock {
  readonly path: string;
  /** The previous owner, when a stale lock was taken over. */
  readonly tookOverFrom?: LockInfo;
  release(): void;
}

/** Reads the start time of a process, or undefined when it does not exist. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which is in parentheses and may hold spaces).
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19] ?? "";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    return ""; // /proc unavailable: cannot tell; treat as alive if pid exists below
  }
}

/** Is the process that wrote `info` still running? */
export function isLockOwnerAlive(info: LockInfo): boolean {
  const start = processStartTime(info.pid);
  if (start === undefined) return false;
  if (start === "" || info.startTime === "") return true;
  return start === info.startTime;
}

/** Reads the lock file of a data directory, if any. */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(Deno.readTextFileSync(join(dataDir, "blitz.lock"))) as LockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The live owner of the data directory, if another process holds it. */
export function lockOwner(dataDir: string): LockInfo | undefined {
  const info = readLock(dataDir);
  return info && info.pid !== Deno.pid && isLockOwnerAlive(info) ? info : undefined;
}

/** Takes the lock of `dataDir`, or throws {@link StoreLockedError} when a live process has it. */
export function acquireLock(dataDir: string): DataDirLock {
  const path = join(dataDir, "blitz.lock");
  const mine: LockInfo = {
    pid: Deno.pid,
    startTime: processStartTime(Deno.pid) ?? "",
    acquiredAt: new Date().toISOString(),
  };
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      Deno.writeTextFileSync(path, JSON.stringify(mine), { createNew: true, mode: 0o644 });
      let released = false;
      return {
        path,
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          if (readLock(dataDir)?.pid === Deno.pid) Deno.removeSync(path);
        },
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    const existing = readLock(dataDir);
    if (existing && isLockOwnerAlive(existing)) throw new StoreLockedError(dataDir, existing.pid);
    tookOverFrom = existing ?? { pid: 0, startTime: "", acquiredAt: "unreadable lock file" };
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(`Cannot take the lock "${path}": it keeps changing (is another Blitz starting?)`);
}
