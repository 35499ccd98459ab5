/** Shared setup for the backup tests: seeded data dirs, the real `sqlite3` shell, checksums. */
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { openStore, type Store } from "../../src/store/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

/** Is the real sqlite3 shell installed? (CI installs it; the checks need a third-party reader.) */
export const HAVE_SQLITE3 = (() => {
  try {
    return new Deno.Command("sqlite3", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs the real `sqlite3` shell on a file and returns its stdout (throws on a non-zero exit). */
export function sqlite3(path: string, ...sql: string[]): string {
  const output = new Deno.Command("sqlite3", {
    args: ["-batch", path, ...sql],
    stdout: "piped",
    stderr: "piped",
  })
    .outputSync();
  const out = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(`sqlite3 failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return out;
}

/** Inserts `count` players, each with one completed game, numbered from `from`. */
export function seedPlayers(store: Store, from: number, count: number, prefix = "p"): void {
  store.transaction(() => {
    const player = store.prepare(
      "INSERT INTO players (id, name, rating, last_seen) VALUES (?, ?, ?, ?)",
    );
    const game = store.prepare(
      `INSERT INTO games (mode, status, home_id, seed, possessions, shot_clock_ms, created_at, updated_at)
       VALUES ('solo', 'completed', ?, ?, 10, 15000, ?, ?)`,
    );
    for (let i = from; i < from + count; i++) {
      player.run(`${prefix}${i}`, `Player ${i}`, 1000 + i, 1_700_000_000_000 + i * 1000);
      game.run(`${prefix}${i}`, i, 1_700_000_000_000 + i * 1000, 1_700_000_000_000 + i * 1000);
    }
  });
}

/** A data dir with a migrated database holding `players` players (and as many games) and a marker. */
export async function seededDataDir(
  players = 20,
  marker = "A",
): Promise<{ dataDir: string; dbPath: string }> {
  const dataDir = await tempDir("blitz-backup-test-");
  const dbPath = join(dataDir, "blitz.db");
  const store = openStore(dbPath);
  seedPlayers(store, 0, players);
  store.setSetting("marker", marker);
  store.close();
  return { dataDir, dbPath };
}

/** Reads the marker setting and the player count of a database file with the sqlite3 shell. */
export function markerAndCount(dbPath: string): { marker: string; players: number } {
  const out = sqlite3(
    dbPath,
    "SELECT value FROM settings WHERE key = 'marker'",
    "SELECT count(*) FROM players",
  );
  const [marker, players] = out.split("\n");
  return { marker: marker ?? "", players: Number(players) };
}

/** SHA-256 of a file. */
export function sha256(path: string): string {
  return createHash("sha256").update(Deno.readFileSync(path)).digest("hex");
}

/** Every file under `dir` (recursively) with its SHA-256, keyed by relative path. */
export function dirChecksums(
  dir: string,
  skip: (name: string) => boolean = () => false,
): Record<string, string> {
  const sums: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of Deno.readDirSync(current)) {
      const path = join(current, entry.name);
      if (skip(entry.name)) continue;
      if (entry.isDirectory) walk(path);
      else if (entry.isFile) sums[relative(dir, path)] = sha256(path);
    }
  };
  walk(dir);
  return sums;
}

/** Can this machine mount a size-limited tmpfs (root on Linux)? Used for a real "disk full". */
export function canMountTmpfs(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    if (Deno.uid() !== 0) return false;
  } catch {
    return false;
  }
  const probe = Deno.makeTempDirSync({ prefix: "blitz-tmpfs-probe-" });
  try {
    const mounted = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
      stderr: "null",
    })
      .outputSync().success;
    if (mounted) new Deno.Command("umount", { args: [probe] }).outputSync();
    return mounted;
  } catch {
    return false;
  } finally {
    Deno.removeSync(probe);
  }
}

/** Mounts a tmpfs of `size` (e.g. "256k") on a new directory; returns it and an unmount function. */
export function mountTmpfs(size: string): { dir: string; unmount: () => void } {
  const dir = Deno.makeTempDirSync({ prefix: "blitz-tmpfs-" });
  const ok = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
  }).outputSync();
  if (!ok.success) throw new Error(`mount tmpfs failed: ${new TextDecoder().decode(ok.stderr)}`);
  return {
    dir,
    unmount: () => {
      new Deno.Command("umount", { args: [dir] }).outputSync();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** A fake clock the test moves by hand. */
export function fakeClock(startMs: number) {
  let now = startMs;
  return {
    now: () => now,
    set: (ms: number) => (now = ms),
    advance: (ms: number) => (now += ms),
  };
}
