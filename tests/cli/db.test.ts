import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runBlitz } from "../_helpers/blitz_process.ts";
import { LATEST_SCHEMA_VERSION, openStore } from "../../src/store/mod.ts";
import {
  dirChecksums,
  HAVE_SQLITE3,
  seededDataDir,
  sha256,
  sqlite3,
} from "../ops/backup_helpers.ts";

describe("blitz db", () => {
  it("check: passes an intact database (exit 0) and fails a damaged one (exit 3) without touching it", async () => {
    const { dataDir, dbPath } = await seededDataDir(300);
    const ok = await runBlitz({ args: ["db", "check", "-d", dataDir] });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(
        `^OK: ".*blitz\\.db" passed integrity_check and foreign_key_check \\(schema ${LATEST_SCHEMA_VERSION}\\)`,
        "m",
      ),
    );

    const bytes = await Deno.readFile(dbPath);
    bytes.fill(0x33, 4096 * 3, 4096 * 4);
    await Deno.writeFile(dbPath, bytes);
    const before = sha256(dbPath);
    const bad = await runBlitz({ args: ["db", "check", "-d", dataDir] });
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toMatch(
      /^Database ".*blitz\.db" failed its check: .*\(restore the newest good backup/,
    );
    expect(sha256(dbPath)).toBe(before);
  });

  it("check: a file that is not SQLite is unusable (exit 3); no database at all is exit 1", async () => {
    const { dataDir, dbPath } = await seededDataDir(1);
    await Deno.writeTextFile(dbPath, "plain text, not a database ".repeat(50));
    const notSqlite = await runBlitz({ args: ["db", "check", "-d", dataDir] });
    expect(notSqlite.code).toBe(3);
    expect(notSqlite.stderr).toMatch(/not a SQLite database/);
    await Deno.remove(dbPath);
    const missing = await runBlitz({ args: ["db", "check", "-d", dataDir] });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^There is no database at/);
  });

  it.runIf(HAVE_SQLITE3)(
    "stats: row counts, pages and freelist agree with the sqlite3 shell",
    async () => {
      const { dataDir, dbPath } = await seededDataDir(500);
      const result = await runBlitz({ args: ["db", "stats", "--json", "-d", dataDir] });
      expect(result.code).toBe(0);
      const stats = JSON.parse(result.stdout);
      expect(stats.pageCount).toBe(Number(sqlite3(dbPath, "PRAGMA page_count")));
      expect(stats.pageSize).toBe(Number(sqlite3(dbPath, "PRAGMA page_size")));
      expect(stats.freelistCount).toBe(Number(sqlite3(dbPath, "PRAGMA freelist_count")));
      expect(stats.fileBytes).toBe((await Deno.stat(dbPath)).size);
      const players = stats.tables.find((t: { name: string }) => t.name === "players");
      expect(players.rows).toBe(500);
      expect(players.bytes).toBeGreaterThan(0);
      const human = await runBlitz({ args: ["db", "stats", "-d", dataDir] });
      expect(human.stdout).toMatch(/pages \d+ × 4096 B · freelist \d+ pages/);
      expect(human.stdout).toMatch(/^\s+players\s+500\s+/m);
    },
  );

  it.runIf(HAVE_SQLITE3)(
    "vacuum: reclaims the space of deleted rows and says how much",
    async () => {
      const { dataDir, dbPath } = await seededDataDir(20);
      const store = openStore(dbPath);
      store.transaction(() => {
        const insert = store.prepare("INSERT INTO settings (key, value) VALUES (?, ?)");
        for (let i = 0; i < 2000; i++) insert.run(`junk${i}`, "x".repeat(1000));
      });
      store.prepare("DELETE FROM settings WHERE key LIKE 'junk%'").run();
      store.close();
      const sizeBefore = (await Deno.stat(dbPath)).size;
      expect(Number(sqlite3(dbPath, "PRAGMA freelist_count"))).toBeGreaterThan(100);

      const result = await runBlitz({ args: ["db", "vacuum", "--json", "-d", dataDir] });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      const sizeAfter = (await Deno.stat(dbPath)).size;
      expect(sizeAfter).toBeLessThan(sizeBefore);
      expect(report.reclaimedBytes).toBe(sizeBefore - sizeAfter);
      expect(report.reclaimedBytes).toBeGreaterThan(1_000_000);
      expect(Number(sqlite3(dbPath, "PRAGMA freelist_count"))).toBe(0);
      expect(sqlite3(dbPath, "SELECT count(*) FROM sqlite_stat1") !== "0").toBe(true); // ANALYZE ran
      expect(sqlite3(dbPath, "PRAGMA integrity_check")).toBe("ok");
      expect(await Deno.stat(join(dataDir, "blitz.lock")).catch(() => null)).toBeNull();
    },
  );

  it("vacuum: refused while a running Blitz holds the data directory (exit 75, with its pid); check and stats still read", async () => {
    const { dataDir } = await seededDataDir(5);
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(
        join(dataDir, "blitz.lock"),
        JSON.stringify({ pid: sleeper.pid, startTime: "", acquiredAt: "x" }),
      );
      const before = dirChecksums(dataDir);
      const result = await runBlitz({ args: ["db", "vacuum", "-d", dataDir] });
      expect(result.code).toBe(75);
      expect(result.stderr.trim()).toMatch(
        new RegExp(
          `^Cannot vacuum ".*": Blitz is running as pid ${sleeper.pid} .*"kill ${sleeper.pid}"`,
        ),
      );
      expect(dirChecksums(dataDir)).toEqual(before);
      expect((await runBlitz({ args: ["db", "check", "-d", dataDir] })).code).toBe(0);
      expect((await runBlitz({ args: ["db", "stats", "-d", dataDir] })).code).toBe(0);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
  });
});
