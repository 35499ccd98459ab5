import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runBlitz, spawnBlitz } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { LATEST_SCHEMA_VERSION, openStore } from "../../src/store/mod.ts";
import { createBackupService } from "../../src/ops/backup/mod.ts";
import {
  dirChecksums,
  HAVE_SQLITE3,
  markerAndCount,
  seededDataDir,
  seedPlayers,
  sqlite3,
} from "../ops/backup_helpers.ts";

/** Makes a backup with the CLI and returns its manifest entry (with `path`). */
async function cliBackup(dataDir: string, ...args: string[]) {
  const result = await runBlitz({ args: ["backup", "--json", "-d", dataDir, ...args] });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { path: string; file: string; sha256: string };
}

/** Changes the live database: a new marker and `extra` more players. */
function changeData(dbPath: string, marker: string, extra: number): void {
  const store = openStore(dbPath);
  seedPlayers(store, 1000, extra, "extra");
  store.setSetting("marker", marker);
  store.close();
}

describe("blitz restore", () => {
  it.runIf(HAVE_SQLITE3)(
    "round trip: back up, change, restore --yes; the data equals the backup, the pre-restore backup holds the change",
    async () => {
      const { dataDir, dbPath } = await seededDataDir(12, "before");
      const backup = await cliBackup(dataDir);
      changeData(dbPath, "after", 5);
      expect(markerAndCount(dbPath)).toEqual({ marker: "after", players: 17 });

      const result = await runBlitz({ args: ["restore", backup.file, "--yes", "-d", dataDir] });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Restore plan:/);
      expect(result.stdout).toMatch(
        new RegExp(
          `replaces: .*blitz\\.db \\(last written .* ago, schema ${LATEST_SCHEMA_VERSION}`,
        ),
      );
      // Current database: 17 players and games (other tables may come and go with migrations).
      expect(result.stdout).toMatch(
        /rows: (\w+ \d+, )*games 17, (\w+ \d+, )*players 17(, \w+ \d+)*\n/,
      );
      expect(result.stdout).toMatch(/^Restored .*\(\d+ ms\)\.$/m);
      const pre = /kept as (blitz-\S+-pre-restore\.db)/.exec(result.stdout)?.[1];
      expect(pre).toBeDefined();

      expect(sqlite3(dbPath, "PRAGMA integrity_check")).toBe("ok");
      expect(markerAndCount(dbPath)).toEqual({ marker: "before", players: 12 });
      expect(markerAndCount(join(dataDir, "backups", pre!))).toEqual({
        marker: "after",
        players: 17,
      });
      expect(await Deno.stat(join(dataDir, "blitz.lock")).catch(() => null)).toBeNull();

      // Undo: restoring the pre-restore backup brings the change back.
      const undo = await runBlitz({ args: ["restore", pre!, "--yes", "-d", dataDir] });
      expect(undo.code).toBe(0);
      expect(markerAndCount(dbPath)).toEqual({ marker: "after", players: 17 });
    },
  );

  it("refuses without --yes when stdin is not a terminal: exit 2, nothing changed", async () => {
    const { dataDir } = await seededDataDir(3);
    const backup = await cliBackup(dataDir);
    const before = dirChecksums(dataDir);
    const result = await runBlitz({ args: ["restore", backup.path, "-d", dataDir] });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Restore plan:/); // what would be replaced is shown first
    expect(result.stderr.trim()).toBe(
      "Refusing to restore without confirmation: stdin is not a terminal. " +
        "Re-run with --yes to replace the database (nothing was changed).",
    );
    expect(dirChecksums(dataDir)).toEqual(before);
  });

  it.runIf(
    Deno.build.os === "linux" && (() => {
      try {
        return new Deno.Command("script", { args: ["--version"], stdout: "null" }).outputSync()
          .success;
      } catch {
        return false;
      }
    })(),
  )('asks on a terminal and restores on "yes", not on anything else', async () => {
    const { dataDir, dbPath } = await seededDataDir(3, "old");
    const backup = await cliBackup(dataDir);
    changeData(dbPath, "new", 1);
    const main = new URL("../../src/main.ts", import.meta.url).pathname;
    const ask = async (answer: string) => {
      const command =
        `${Deno.execPath()} run -A --quiet ${main} restore ${backup.path} -d ${dataDir}`;
      const child = new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const writer = child.stdin.getWriter();
      await new Promise((r) => setTimeout(r, 1500));
      await writer.write(new TextEncoder().encode(`${answer}\n`));
      await writer.close();
      const output = await child.output();
      return { code: output.code, out: new TextDecoder().decode(output.stdout) };
    };
    const no = await ask("no");
    expect(no.out).toMatch(/Type "yes" to continue/);
    expect(no.out).toMatch(/Restore cancelled; nothing was changed/);
    expect(no.code).toBe(1);
    expect(markerAndCount(dbPath).marker).toBe("new");
    const yes = await ask("yes");
    expect(yes.out).toMatch(/Restored /);
    expect(yes.code).toBe(0);
    expect(markerAndCount(dbPath).marker).toBe("old");
  }, 30_000);

  it("refuses while a running Blitz holds the data directory: exit 75, names the pid and how to stop it", async () => {
    const { dataDir } = await seededDataDir(3);
    const backup = await cliBackup(dataDir);
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(
        join(dataDir, "blitz.lock"),
        JSON.stringify({ pid: sleeper.pid, startTime: "", acquiredAt: "x" }),
      );
      const before = dirChecksums(dataDir);
      const result = await runBlitz({ args: ["restore", backup.path, "--yes", "-d", dataDir] });
      expect(result.code).toBe(75);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(`Blitz is running as pid ${sleeper.pid}`);
      expect(result.stderr).toContain(`"kill ${sleeper.pid}"`);
      expect(result.stderr).toContain("--online");
      expect(dirChecksums(dataDir)).toEqual(before);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
  });

  describe("a bad backup: one line that says what is wrong and what to do, exit 1, nothing changed", () => {
    const cases: {
      name: string;
      make: (dataDir: string, good: string) => Promise<string>;
      says: RegExp;
    }[] = [
      {
        name: "a file that is not a backup",
        make: async (dir) => {
          const path = join(dir, "notes.txt");
          await Deno.writeTextFile(path, "these are my notes, not a database\n".repeat(20));
          return path;
        },
        says:
          /is not a usable backup: it is not a SQLite database \(wrong file header\) \(it is not a Blitz backup/,
      },
      {
        name: "a truncated backup",
        make: async (dir, good) => {
          const path = join(dir, "cut.db");
          const bytes = await Deno.readFile(good);
          await Deno.writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
          return path;
        },
        says: /is not a usable backup: it is truncated: .*\(the copy is incomplete/,
      },
      {
        name: "a truncated gzip backup",
        make: async (dir, good) => {
          const gz =
            new Deno.Command("gzip", { args: ["-c", good], stdout: "piped" }).outputSync().stdout;
          const path = join(dir, "cut.db.gz");
          await Deno.writeFile(path, gz.subarray(0, Math.floor(gz.length / 2)));
          return path;
        },
        says: /is not a usable backup: its gzip data is truncated or damaged/,
      },
      {
        name: "another program's SQLite database",
        make: (dir) => {
          const path = join(dir, "other-app.db");
          const db = new DatabaseSync(path);
          db.exec(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')",
          );
          db.close();
          return Promise.resolve(path);
        },
        says:
          /is not a usable backup: it is a SQLite database without Blitz's schema .*another program's database/,
      },
      {
        name: "a backup whose bytes changed since (checksum)",
        make: async (_dir, good) => {
          const bytes = await Deno.readFile(good);
          bytes[bytes.length - 50] = bytes[bytes.length - 50]! ^ 0x20;
          await Deno.writeFile(good, bytes);
          return good;
        },
        says:
          /is not a usable backup: its SHA-256 is .* \(the file changed after the backup was made\) \(it was modified/,
      },
      {
        name: "a backup from a newer Blitz",
        make: (dir) => {
          const path = join(dir, "future.db");
          const store = openStore(path);
          store.db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
          store.close();
          return Promise.resolve(path);
        },
        says: new RegExp(
          `is not a usable backup: it has schema version ${LATEST_SCHEMA_VERSION + 1}, ` +
            `newer than this Blitz knows \\(${LATEST_SCHEMA_VERSION}\\).*newer Blitz`,
        ),
      },
      {
        name: "a file that does not exist",
        make: (dir) => Promise.resolve(join(dir, "nope.db")),
        says: /is not a usable backup: the file does not exist \(check the path/,
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, async () => {
        const { dataDir } = await seededDataDir(40);
        const good = await cliBackup(dataDir);
        const elsewhere = await tempDir();
        const bad = await testCase.make(elsewhere, good.path);
        const before = { data: dirChecksums(dataDir), elsewhere: dirChecksums(elsewhere) };
        const result = await runBlitz({ args: ["restore", bad, "--yes", "-d", dataDir] });
        expect(result.stderr.trim()).toMatch(testCase.says);
        expect(result.stderr.trim().split("\n"), result.stderr).toHaveLength(1);
        expect(result.stdout, result.stderr).toBe("");
        expect(result.code, result.stderr).toBe(1);
        expect({ data: dirChecksums(dataDir), elsewhere: dirChecksums(elsewhere) }).toEqual(before);
        // `backup verify` says the same and exits 1.
        const verify = await runBlitz({ args: ["backup", "verify", bad, "-d", dataDir] });
        expect(verify.code, verify.stderr).toBe(1);
        expect(verify.stderr).toMatch(/^FAILED /);
      });
    }
  });

  it.runIf(HAVE_SQLITE3)(
    "a restore killed with SIGKILL at any moment leaves the old or the new database, intact (30 trials)",
    async () => {
      const template = await seededDataDir(4000, "old"); // a few MB, so the restore takes a while
      const backupSource = await seededDataDir(2500, "new");
      const backup = await cliBackup(backupSource.dataDir);
      const outcomes = { old: 0, new: 0 };
      const trials = 30;
      // Measure one full restore, to spread the kills over its whole length.
      const probe = await tempDir();
      for (const name of ["blitz.db"]) {
        await Deno.copyFile(join(template.dataDir, name), join(probe, name));
      }
      const t0 = performance.now();
      expect((await runBlitz({ args: ["restore", backup.path, "--yes", "-d", probe] })).code).toBe(
        0,
      );
      const fullMs = performance.now() - t0;

      const trialDirs: string[] = [];
      for (let trial = 0; trial < trials; trial++) {
        const dataDir = await tempDir();
        trialDirs.push(dataDir);
        await Deno.copyFile(join(template.dataDir, "blitz.db"), join(dataDir, "blitz.db"));
        const proc = spawnBlitz({ args: ["restore", backup.path, "--yes", "-d", dataDir] });
        const delay = Math.random() * fullMs * 1.1;
        await new Promise((r) => setTimeout(r, delay));
        proc.kill("SIGKILL");
        await proc.exited;
        const dbPath = join(dataDir, "blitz.db");
        expect(
          sqlite3(dbPath, "PRAGMA integrity_check"),
          `trial ${trial} after ${delay.toFixed(0)} ms`,
        ).toBe("ok");
        const state = markerAndCount(dbPath);
        if (state.marker === "old") {
          expect(state.players).toBe(4000);
          outcomes.old++;
        } else {
          expect(state).toEqual({ marker: "new", players: 2500 });
          outcomes.new++;
        }
        // And Blitz itself can open it afterwards (stale lock and leftovers are handled).
        const check = await runBlitz({ args: ["db", "check", "-d", dataDir] });
        expect(check.code, check.stderr).toBe(0);
      }
      expect(outcomes.old + outcomes.new).toBe(trials);
      // Leftovers of the killed restores (the prepared copy) are removed by the next Blitz to start.
      for (const dataDir of trialDirs) {
        createBackupService({ dataDir });
        const names = [...Deno.readDirSync(dataDir)].map((e) => e.name);
        expect(names.filter((n) => n.includes(".partial-"))).toEqual([]);
      }
    },
    180_000,
  );
});
