/**
 * 20 backups in a row through the admin API while players play, on a database with a history
 * of 40,000 finished games: every file passes
 * `integrity_check` and `foreign_key_check` in the real `sqlite3` shell, interactions keep
 * being answered in time, and a restore round trip (`blitz restore FILE`, then the live
 * database) is equal to the backup, row for row, for the first, a middle and the last backup.
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { runBlitz } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  type BlitzUnderTest,
  percentile,
  reportFigures,
  sqliteShell,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { createPlayers } from "../_helpers/fault_players.ts";
import { openStore } from "../../src/store/mod.ts";

const BACKUPS = 20;
/** Finished games in the database before the test, so each backup copies some megabytes. */
const HISTORY_GAMES = 40_000;

/** A database with a history: players and finished games, as Blitz stores them. */
function seedHistory(dbPath: string): void {
  const store = openStore(dbPath);
  const now = Date.now();
  store.transaction(() => {
    const player = store.db.prepare(
      "INSERT INTO players (id, name, rating, games_played, last_seen) VALUES (?, ?, ?, ?, ?)",
    );
    for (let p = 0; p < 2000; p++) {
      player.run(`9${String(p).padStart(17, "0")}`, `Veteran ${p}`, 900 + (p % 300), 40, now);
    }
    const game = store.db.prepare(
      `INSERT INTO games (guild_id, channel_id, message_id, mode, status, home_id, away_id, seed,
         possessions, shot_clock_ms, picks, home_score, away_score, winner, created_at, updated_at,
         finished_at)
       VALUES ('1', '2', '3', 'challenge', 'completed', ?, ?, ?, 8, 30000, ?, ?, ?, 'home', ?, ?, ?)`,
    );
    for (let g = 0; g < HISTORY_GAMES; g++) {
      const home = `9${String(g % 2000).padStart(17, "0")}`;
      const away = `9${String((g * 7 + 1) % 2000).padStart(17, "0")}`;
      const at = now - (HISTORY_GAMES - g) * 60_000;
      game.run(home, away, g, "5a6b7c8d9e5a6b7c", 20, 12, at, at, at);
    }
  });
  store.close();
}

/** The database's content as the `sqlite3` shell dumps it, with its schema version. */
async function contentOf(dbPath: string): Promise<string> {
  const version = await sqliteShell(dbPath, "PRAGMA user_version;");
  return `user_version=${version.trim()}\n${await sqliteShell(dbPath, ".dump")}`;
}

describe("backups during load", () => {
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest | undefined;
  afterAll(async () => {
    if (blitz) await stopBlitz(blitz.proc);
    await sandbox?.close();
  });

  it(
    `takes ${BACKUPS} sound backups in a row under load, and restores each one exactly`,
    async () => {
      sandbox = await startSandbox();
      const dataDir = await tempDir("blitz-backups-");
      const dbPath = join(dataDir, "blitz.db");
      seedHistory(dbPath);
      blitz = await startBlitzAgainst(sandbox, dataDir);
      const token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
      const players = createPlayers({
        sandbox,
        dbPath,
        soloSeats: 10,
        challengePairs: 2,
        thinkMs: [20, 150],
        seed: 5,
      });
      await players.run(2000); // some games first

      const load = players.run(120_000);
      const files: string[] = [];
      const durations: number[] = [];
      const statuses: number[] = [];
      for (let i = 0; i < BACKUPS; i++) {
        const started = performance.now();
        const response = await fetch(`${blitz.httpUrl}/api/backups`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ label: `load-${i + 1}` }),
        });
        const body = await response.json();
        durations.push(Math.round(performance.now() - started));
        statuses.push(response.status);
        if (response.status === 201) files.push(join(dataDir, "backups", body.file));
      }
      players.stop();
      await load;
      await players.settle();
      const stats = players.stats();
      players.close();

      const integrity: string[] = [];
      const foreignKeys: string[] = [];
      const games: number[] = [];
      for (const file of files) {
        integrity.push((await sqliteShell(file, "PRAGMA integrity_check;")).trim());
        foreignKeys.push((await sqliteShell(file, "PRAGMA foreign_key_check;")).trim());
        games.push(Number(await sqliteShell(file, "SELECT COUNT(*) FROM games;")));
      }

      // Round trips: restore a backup with the CLI (Blitz stopped), compare the live database.
      expect(await stopBlitz(blitz.proc)).toBe(0);
      blitz = undefined;
      const roundTrips: { file: string; equal: boolean; code: number }[] = [];
      for (const file of [files[0]!, files[Math.floor(files.length / 2)]!, files.at(-1)!]) {
        const restored = await runBlitz({
          args: ["restore", file, "--yes", "-d", dataDir, "--json"],
          env: { BLITZ_DATA_DIR: dataDir },
        });
        roundTrips.push({
          file,
          code: restored.code,
          equal: (await contentOf(dbPath)) === (await contentOf(file)),
        });
      }
      const lastOpen = Number(
        await sqliteShell(
          dbPath,
          "SELECT COUNT(*) FROM games WHERE status IN ('pending','active');",
        ),
      );
      blitz = await startBlitzAgainst(sandbox, dataDir);
      const loaded = Number(/Loaded (\d+) games/.exec(blitz.proc.stderr())?.[1]);

      reportFigures("backups during load, 20 in a row", {
        backups: BACKUPS,
        created: files.length,
        integrityOk: integrity.filter((v) => v === "ok").length,
        foreignKeyProblems: foreignKeys.filter((v) => v !== "").length,
        backupMsP50: percentile(durations, 50),
        backupMsMax: Math.max(...durations),
        databaseMb: Number(((await Deno.stat(files.at(-1)!)).size / 1e6).toFixed(1)),
        gamesInFirstBackup: games[0],
        gamesInLastBackup: games.at(-1),
        interactionsDuringBackups: stats.sent,
        answered: stats.answered,
        latencyMsP99: percentile(stats.latencies, 99),
        latencyMsMax: Math.max(...stats.latencies),
        roundTripsEqual: roundTrips.filter((r) => r.equal && r.code === 0).length,
        roundTrips: roundTrips.length,
        loadedAfterRestore: loaded,
        openInRestored: lastOpen,
      });

      expect(statuses).toEqual(Array(BACKUPS).fill(201));
      expect(integrity).toEqual(Array(BACKUPS).fill("ok"));
      expect(foreignKeys).toEqual(Array(BACKUPS).fill(""));
      // Each backup is a later snapshot of a growing database.
      expect(games.every((n, i) => i === 0 || n >= games[i - 1]!)).toBe(true);
      expect(games.at(-1)!).toBeGreaterThan(games[0]!);
      expect(stats.answered).toBe(stats.sent);
      expect(roundTrips.every((r) => r.code === 0 && r.equal)).toBe(true);
      expect(loaded).toBe(lastOpen);
    },
    240_000,
  );
});
