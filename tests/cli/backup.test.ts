import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBlitz } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  dirChecksums,
  HAVE_SQLITE3,
  seededDataDir,
  sha256,
  sqlite3,
} from "../ops/backup_helpers.ts";

const WRITER = fileURLToPath(new URL("../ops/backup_load_writer.ts", import.meta.url));

/**
 * Starts the load writer and resolves once it has committed its first 200 pairs. The stop file
 * ends it, long before its cap of 10 million commits.
 */
async function startWriter(dbPath: string, stopFile: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", WRITER, dbPath, "10000000", stopFile],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
  })();
  const started = Date.now();
  while (!out.includes("ready")) {
    if (Date.now() - started > 20_000) throw new Error(`load writer did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    async stop(): Promise<{ code: number; commits: number; stderr: string }> {
      await Deno.writeTextFile(stopFile, "stop");
      const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
      await pump;
      return {
        code: status.code,
        commits: Number(/commits (\d+)/.exec(out)?.[1] ?? -1),
        stderr: err,
      };
    },
  };
}

describe("blitz backup", () => {
  it.runIf(HAVE_SQLITE3)(
    "takes consistent backups while another process keeps writing (checked with the real sqlite3 shell)",
    async () => {
      const { dataDir, dbPath } = await seededDataDir(10);
      const writer = await startWriter(dbPath, join(dataDir, "stop"));
      const backups: { path: string; rowCounts: Record<string, number> }[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const result = await runBlitz({
            args: ["backup", "--json", "--label", `load ${i}`, "-d", dataDir],
          });
          expect(result.stderr).toBe("");
          expect(result.code).toBe(0);
          backups.push(JSON.parse(result.stdout));
        }
      } finally {
        const stopped = await writer.stop();
        expect(stopped.stderr).toBe(""); // the writer never saw SQLITE_BUSY or another error
        expect(stopped.code).toBe(0);
        backups.forEach((b) => expect(b.rowCounts.players).toBeLessThan(stopped.commits + 10));
      }
      let previous = 0;
      for (const backup of backups) {
        expect(sqlite3(backup.path, "PRAGMA integrity_check")).toBe("ok");
        const [players, games, lonelyPlayers, lonelyGames] = sqlite3(
          backup.path,
          "SELECT count(*) FROM players WHERE id LIKE 'load-%'",
          "SELECT count(*) FROM games WHERE home_id LIKE 'load-%'",
          "SELECT count(*) FROM (SELECT id FROM players WHERE id LIKE 'load-%' EXCEPT SELECT home_id FROM games)",
          "SELECT count(*) FROM (SELECT home_id FROM games WHERE home_id LIKE 'load-%' EXCEPT SELECT id FROM players)",
        ).split("\n").map(Number);
        expect(players).toBeGreaterThanOrEqual(200); // the writer was running
        expect(players).toBe(games);
        expect(lonelyPlayers).toBe(0);
        expect(lonelyGames).toBe(0);
        expect(backup.rowCounts.players).toBe(players! + 10);
        expect(players).toBeGreaterThanOrEqual(previous);
        previous = players!;
      }
      expect(Number(sqlite3(dbPath, "SELECT count(*) FROM players"))).toBeGreaterThan(
        previous + 10,
      );
    },
    60_000,
  );

  it("lists, verifies and prunes from the command line; a changed file shows as DAMAGED and fails verify", async () => {
    const { dataDir } = await seededDataDir(5);
    const first = await runBlitz({
      args: ["backup", "--kind", "scheduled", "--json", "-d", dataDir],
    });
    expect(first.code).toBe(0);
    const second = await runBlitz({ args: ["backup", "--compress", "-d", dataDir] });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Backup written: .*blitz-\d{8}T\d{6}Z-manual\.db\.gz$/m);

    const verified = await runBlitz({ args: ["backup", "verify", "--all", "-d", dataDir] });
    expect(verified.code).toBe(0);
    expect(verified.stdout.match(/^OK /gm)).toHaveLength(2);

    const { path } = JSON.parse(first.stdout);
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    await Deno.writeFile(path, bytes);

    const listed = await runBlitz({ args: ["backup", "list", "-d", dataDir] });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^AGE\s+SIZE\s+KIND\s+STATE\s+FILE$/);
    expect(lines[1]).toMatch(/manual\s+verified\s+blitz-.*-manual\.db\.gz/);
    expect(lines[2]).toMatch(
      /scheduled\s+DAMAGED\s+blitz-.*-scheduled\.db\s+\(the file changed since/,
    );

    const one = await runBlitz({ args: ["backup", "verify", path, "-d", dataDir] });
    expect(one.code).toBe(1);
    expect(one.stderr.trim()).toMatch(
      /^FAILED +.*scheduled\.db: its SHA-256 is .*the file changed after the backup was made/,
    );
    const all = await runBlitz({ args: ["backup", "verify", "--all", "-d", dataDir] });
    expect(all.code).toBe(1);

    const listJson = JSON.parse(
      (await runBlitz({ args: ["backup", "list", "--json", "-d", dataDir] })).stdout,
    );
    // Damage wins over the failed verification recorded above: the file itself changed.
    expect(listJson.backups.map((b: { state: string }) => b.state)).toEqual([
      "verified",
      "damaged",
    ]);

    const dry = await runBlitz({ args: ["backup", "prune", "--dry-run", "-d", dataDir] });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: would delete 0, kept 2\./);
  });

  it("verify without FILE or --all is misuse (exit 2)", async () => {
    const { dataDir } = await seededDataDir(1);
    const result = await runBlitz({ args: ["backup", "verify", "-d", dataDir] });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("error: give a backup FILE or --all");
  });

  describe("bad situations: one clear line, the right exit code, nothing changed", () => {
    it("no database to back up: exit 1", async () => {
      const dataDir = await tempDir();
      const result = await runBlitz({ args: ["backup", "-d", dataDir] });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        /^There is no database at ".*blitz\.db" to back up \(start Blitz once/,
      );
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    });

    it("a destination that cannot be written: exit 1", async () => {
      const { dataDir } = await seededDataDir(2);
      await Deno.writeTextFile(join(dataDir, "not-a-dir"), "");
      const before = dirChecksums(dataDir);
      const result = await runBlitz({
        args: ["backup", "--dest", join(dataDir, "not-a-dir", "x"), "-d", dataDir],
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        /^Cannot write backups to ".*not-a-dir\/x": .*use --dest DIR\)$/,
      );
      expect(dirChecksums(dataDir)).toEqual(before);
    });

    it("a live database that is corrupt: exit 3, file untouched", async () => {
      const { dataDir, dbPath } = await seededDataDir(300);
      const bytes = await Deno.readFile(dbPath);
      bytes.fill(0x5a, 4096 * 2, 4096 * 6);
      await Deno.writeFile(dbPath, bytes);
      const before = sha256(dbPath);
      const result = await runBlitz({ args: ["backup", "-d", dataDir] });
      expect(result.code).toBe(3);
      expect(result.stderr.trim()).toMatch(
        /^Database ".*blitz\.db" is unusable: .*malformed .*blitz db check.*blitz restore FILE`\)$/,
      );
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(sha256(dbPath)).toBe(before);
    });

    it("another backup running: exit 75 with its pid", async () => {
      const { dataDir } = await seededDataDir(2);
      const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
      try {
        await Deno.writeTextFile(
          join(dataDir, "backup.lock"),
          JSON.stringify({ pid: sleeper.pid, startTime: "", acquiredAt: "x", what: "backup" }),
        );
        const result = await runBlitz({ args: ["backup", "-d", dataDir] });
        expect(result.code).toBe(75);
        expect(result.stderr.trim()).toBe(
          `A backup of this database is already running (pid ${sleeper.pid}) (wait for it to finish, then try again)`,
        );
      } finally {
        sleeper.kill();
        await sleeper.status;
      }
    });

    it("a failing BACKUP_POST_COMMAND: the backup stays, the failure is printed, exit 1", async () => {
      const { dataDir } = await seededDataDir(2);
      const result = await runBlitz({
        args: ["backup", "-d", dataDir],
        env: { BACKUP_POST_COMMAND: `"${Deno.execPath()}" eval "Deno.exit(4)"` },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/off-site post_command: FAILED/);
      expect(result.stderr).toMatch(/The backup was written, but post_command failed: .*exited 4/);
      const listed = JSON.parse(
        (await runBlitz({ args: ["backup", "list", "--json", "-d", dataDir] })).stdout,
      );
      expect(listed.backups).toHaveLength(1);
      expect(listed.backups[0].state).toBe("verified");
    });
  });
});
