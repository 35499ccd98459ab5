/**
 * SIGKILL at random moments under load, 50 trials on one data directory: after every kill the
 * database as left on disk passes `integrity_check` (the real `sqlite3` shell, on a copy, so
 * the restart recovers the original untouched), every pick confirmed to a player is in it, and
 * the restarted Blitz loads every open game and lets each one go on.
 */
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startSandbox } from "../../src/sandbox/mod.ts";
import type { GameRow } from "../../src/store/games_repo.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  percentile,
  prng,
  reportFigures,
  shellIntegrity,
  sleep,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { type ConfirmedPick, createPlayers, pickIsStored } from "../_helpers/fault_players.ts";

const TRIALS = 50;
const SEED = 20261122;

/** Copies the database and its WAL as the kill left them. */
async function copyAsLeft(dbPath: string, dir: string): Promise<string> {
  const copy = join(dir, "blitz.db");
  await Deno.copyFile(dbPath, copy);
  try {
    await Deno.copyFile(`${dbPath}-wal`, `${copy}-wal`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return copy;
}

/** The confirmed picks missing from the games in `dbPath`. */
function missingPicks(dbPath: string, picks: readonly ConfirmedPick[]): ConfirmedPick[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const get = db.prepare("SELECT * FROM games WHERE id = ?");
    return picks.filter((p) => !pickIsStored(get.get(p.gameId) as unknown as GameRow, p));
  } finally {
    db.close();
  }
}

function openGames(dbPath: string): number {
  const db = new DatabaseSync(dbPath);
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM games WHERE status IN ('pending', 'active')")
      .get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("SIGKILL at random moments under load", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    `keeps every confirmed pick and a sound database through ${TRIALS} kills, and resumes open games`,
    async () => {
      const random = prng(SEED);
      const sandbox = await startSandbox();
      cleanups.push(() => sandbox.close());
      const dataDir = await tempDir("blitz-sigkill-");
      const dbPath = join(dataDir, "blitz.db");
      const checkDir = await tempDir("blitz-sigkill-check-");

      // The first start creates the database; the players read it.
      let blitz = await startBlitzAgainst(sandbox, dataDir, { waitHealthy: false });
      const players = createPlayers({
        sandbox,
        dbPath,
        soloSeats: 12,
        challengePairs: 4,
        thinkMs: [5, 60],
        seed: SEED,
      });
      cleanups.push(() => players.close());

      const phases: Record<string, number> = {};
      let mark = performance.now();
      const phase = (name: string) => {
        const now = performance.now();
        phases[name] = Math.round((phases[name] ?? 0) + now - mark);
        mark = now;
      };
      const integrity: string[] = [];
      const killDelays: number[] = [];
      const inFlightAtKill: number[] = [];
      const restartMs: number[] = [];
      const problems: string[] = [];
      let openAtKill = -1;
      let missingTotal = 0;
      let missingAfterRestart = 0;
      let gamesToResume = 0;
      let gamesResumed = 0;
      let boardsReshown = 0;
      let loadedMismatches = 0;
      // Blitz syncs its commands on every start (PUT, 5 per 20 s on the sandbox as on
      // Discord): restarts in quick succession wait for that route's 429.
      let restartsRateLimited = 0;

      for (let trial = 1; trial <= TRIALS; trial++) {
        mark = performance.now();
        if (trial > 1) {
          const started = performance.now();
          blitz = await startBlitzAgainst(sandbox, dataDir, { waitHealthy: false });
          restartMs.push(Math.round(performance.now() - started));
          if (/\[InvalidBucket\]/.test(blitz.proc.stderr())) restartsRateLimited++;
          const loaded = Number(/Loaded (\d+) games/.exec(blitz.proc.stderr())?.[1]);
          if (loaded !== openAtKill) {
            loadedMismatches++;
            problems.push(`trial ${trial}: loaded ${loaded} games, ${openAtKill} were open`);
          }
          // The restarted instance sees every confirmed pick too.
          const lost = missingPicks(dbPath, players.confirmed);
          missingAfterRestart += lost.length;
          players.reopenDb();
          phase("restart");
          const round = await players.resumeRound();
          gamesToResume += round.games;
          gamesResumed += round.resumed;
          boardsReshown += round.reshown;
          problems.push(...round.problems.map((p) => `trial ${trial}: ${p}`));
          phase("resume");
        }

        const delay = Math.floor(random() * 2000);
        killDelays.push(delay);
        // The kill lands while the players keep playing, at the first moment after `delay`
        // that an interaction is in flight (bounded).
        const load = players.run(delay + 500);
        await sleep(delay);
        for (let i = 0; i < 300 && players.inFlight() === 0; i++) await sleep(1);
        inFlightAtKill.push(players.inFlight());
        blitz.proc.kill("SIGKILL");
        await blitz.proc.exited;
        players.stop();
        await load;
        await sleep(100); // callbacks already received by the sandbox are recorded
        players.abandonInFlight();
        phase("load+kill");

        const copy = await copyAsLeft(dbPath, checkDir);
        const verdict = await shellIntegrity(copy);
        integrity.push(verdict);
        const missing = missingPicks(copy, players.confirmed);
        missingTotal += missing.length;
        if (missing.length > 0) {
          problems.push(
            `trial ${trial}: ${missing.length} confirmed picks missing, e.g. ${
              JSON.stringify(missing[0])
            }`,
          );
        }
        openAtKill = openGames(copy);
        phase("check");
        for (const suffix of ["", "-wal", "-shm"]) {
          await Deno.remove(`${copy}${suffix}`).catch(() => {});
        }
      }

      // A last start, then a clean stop: the final database holds everything confirmed.
      blitz = await startBlitzAgainst(sandbox, dataDir, { waitHealthy: false });
      const finalLoaded = Number(/Loaded (\d+) games/.exec(blitz.proc.stderr())?.[1]);
      const lastRound = await players.resumeRound();
      gamesToResume += lastRound.games;
      gamesResumed += lastRound.resumed;
      boardsReshown += lastRound.reshown;
      problems.push(...lastRound.problems.map((p) => `final: ${p}`));
      expect(await stopBlitz(blitz.proc)).toBe(0);
      const finalMissing = missingPicks(dbPath, players.confirmed);
      const finalIntegrity = await shellIntegrity(dbPath);

      const stats = players.stats();
      reportFigures("SIGKILL at random moments under load", {
        trials: TRIALS,
        integrityOk: integrity.filter((v) => v === "ok").length,
        confirmedPicks: players.confirmed.length,
        confirmedPicksMissing: missingTotal + missingAfterRestart + finalMissing.length,
        interactionsSent: stats.sent,
        inFlightAtKillTotal: inFlightAtKill.reduce((a, b) => a + b, 0),
        killDelayMsMedian: percentile(killDelays, 50),
        openGamesAtRestart: gamesToResume,
        gamesResumed,
        boardsPostedOnPlay: boardsReshown,
        loadedCountMismatches: loadedMismatches,
        restartToReadyMsP50: percentile(restartMs, 50),
        restartToReadyMsMax: Math.max(...restartMs),
        restartsHeldByCommandSync429: restartsRateLimited,
        finalLoaded,
        finalIntegrity,
        phasesMs: phases,
      });

      expect(problems).toEqual([]);
      expect(integrity.every((v) => v === "ok")).toBe(true);
      expect(finalIntegrity).toBe("ok");
      expect(missingTotal + missingAfterRestart + finalMissing.length).toBe(0);
      expect(loadedMismatches).toBe(0);
      expect(gamesResumed).toBe(gamesToResume);
      // The load was real: kills landed with interactions in flight, and picks were confirmed.
      expect(players.confirmed.length).toBeGreaterThan(TRIALS * 10);
      expect(inFlightAtKill.filter((n) => n > 0).length).toBeGreaterThan(TRIALS * 0.9);
    },
    400_000,
  );
});
