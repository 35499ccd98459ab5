/**
 * File-system steps the backup service relies on for "nothing lost": fsync of files and
 * directories, atomic replacement (temp + fsync + rename + fsync of the directory), streamed
 * SHA-256, and small pid lock files that a dead process cannot leave held.
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { isLockOwnerAlive, type LockInfo } from "../lock.ts";

/** Flushes a file's data to the disk. */
export function fsyncFile(path: string): void {
  const file = Deno.openSync(path, { read: true, write: true });
  try {
    file.syncSync();
  } finally {
    file.close();
  }
}

/** Flushes a file's data to the disk without blocking the event loop. */
export async function fsyncFileAsync(path: string): Promise<void> {
  using file = await Deno.open(path, { read: true, write: true });
  await file.sync();
}

/** Flushes a directory entry list, so a rename or a new file in it survives a power cut. */
export function fsyncDir(dir: string): void {
  const handle = Deno.openSync(dir, { read: true });
  try {
    handle.syncSync();
  } finally {
    handle.close();
  }
}

/** Removes a file if it exists; never throws for a missing file. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch { /* missing or already gone */ }
}

/** Size of a file, or undefined when it does not exist. */
export function sizeOf(path: string): number | undefined {
  try {
    return Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Writes `text` to `path` atomically: a temporary file beside it, fsync, rename, fsync dir. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}`);
  try {
    Deno.writeTextFileSync(temp, text, { mode: 0o644 });
    fsyncFile(temp);
    Deno.renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  fsyncDir(dirname(path));
}

/** Hex SHA-256 of a file, read in chunks (the event loop keeps turning between chunks). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1 << 20);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Does the file start with the gzip magic bytes? */
export function isGzipFile(path: string): boolean {
  using file = Deno.openSync(path, { read: true });
  const head = new Uint8Array(2);
  const n = file.readSync(head) ?? 0;
  return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function processStartTime(pid: number): string {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

/** A small exclusive lock file held by this process. */
export interface PidLock {
  release(): void;
}

/**
 * Takes the lock file `path`, or returns the live owner's info when another process (or this
 * one) holds it. A lock whose owner is gone is taken over.
 */
export function tryPidLock(path: string, what: string): PidLock | LockInfo {
  const mine = {
    pid: Deno.pid,
    startTime: processStartTime(Deno.pid),
    acquiredAt: new Date().toISOString(),
    what,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      Deno.writeTextFileSync(path, JSON.stringify(mine), { createNew: true, mode: 0o644 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          removeQuietly(path);
        },
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    let owner: LockInfo | undefined;
    try {
      owner = JSON.parse(Deno.readTextFileSync(path)) as LockInfo;
    } catch { /* half-written or vanished: treat as stale */ }
    if (owner && typeof owner.pid === "number" && isLockOwnerAlive(owner)) return owner;
    removeQuietly(path);
  }
  throw new Error(`Cannot take the lock "${path}": it keeps changing`);
}

/** Runs `fn` while holding the lock file `path`, waiting up to `timeoutMs` for it. */
export async function withPidLock<T>(
  path: string,
  what: string,
  fn: () => T,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const lock = tryPidLock(path, what);
    if ("release" in lock) {
      try {
        return fn();
      } finally {
        lock.release();
      }
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `Cannot take the lock "${path}": pid ${lock.pid} has held it for over ${
          timeoutMs / 1000
        } s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
