/**
 * 20 % 429s and 5 % 5xx on every REST request for 45 s under load (each request drawn on its
 * own; 429 scopes user, shared and global with Discord's headers). No crash, no game action
 * lost (every pick the bot accepted is stored, every pick confirmed to a player is stored),
 * every board eventually shows its game as stored, no request before its Retry-After, and
 * invalid requests (401, 403, non-shared 429) below Discord's 10,000 per 10 minutes even
 * counting every 429 the fault itself sends — and none caused by Blitz (no early retry, no 401
 * or 403, no 429 from the sandbox's own limits).
 */
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import type { GameRow } from "../../src/store/games_repo.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  type BlitzUnderTest,
  percentile,
  reportFigures,
  sleep,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { createPlayers, pickIsStored } from "../_helpers/fault_players.ts";
import { type RestChaos, startRestChaos } from "../_helpers/rest_chaos.ts";
import { staleBoards } from "../_helpers/board_check.ts";

const DURATION_MS = 45_000;
const SEED = 429;
const DISCORD_INVALID_LIMIT_PER_10_MIN = 10_000;

/** Picks stored in the database: a solo possession holds one, a challenge possession two. */
function storedPicks(dbPath: string): number {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const rows = db.prepare("SELECT * FROM games").all() as unknown as GameRow[];
    let picks = 0;
    for (const row of rows) {
      picks += row.mode === "solo" ? row.picks.length : 2 * row.picks.length;
      if (row.pending_offense) picks++;
      if (row.pending_defense) picks++;
    }
    return picks;
  } finally {
    db.close();
  }
}

async function acceptedPicks(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  return Number(/^blitz_game_actions_total\{kind="pick"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe("REST: 20 % 429s and 5 % 5xx", () => {
  let sandbox: Sandbox;
  let chaos: RestChaos | undefined;
  let blitz: BlitzUnderTest | undefined;
  afterAll(async () => {
    if (blitz) await stopBlitz(blitz.proc);
    await chaos?.close();
    await sandbox?.close();
  });

  it("loses no game action, updates every board, never retries early", async () => {
    sandbox = await startSandbox({ seed: SEED });
    chaos = await startRestChaos({ target: sandbox.restUrl, seed: SEED });
    chaos.setEnabled(false); // a clean start; the faults begin under load
    const dataDir = await tempDir("blitz-rest-");
    const dbPath = join(dataDir, "blitz.db");
    blitz = await startBlitzAgainst(sandbox, dataDir, {
      env: {
        DISCORD_API_URL: chaos.url,
        CIRCUIT_BREAKER_ERRORS: "100000",
      },
    });
    const players = createPlayers({
      sandbox,
      dbPath,
      soloSeats: 8,
      challengePairs: 3,
      thinkMs: [150, 500],
      seed: SEED,
      giveUpMs: 5000,
    });
    const sandboxBefore = (await sandbox.client.state()).rest;

    chaos.setEnabled(true);
    const started = performance.now();
    await players.run(DURATION_MS);
    await players.settle(8000);
    chaos.setEnabled(false);
    const faultSeconds = (performance.now() - started) / 1000;
    const during = chaos.stats();

    // Eventually (bounded): every board shows its game as stored.
    let stale = await staleBoards(sandbox, dbPath);
    const waitStarted = performance.now();
    while (
      stale.some((s) => s.problem !== "no board") && performance.now() - waitStarted < 60_000
    ) {
      await sleep(500);
      stale = await staleBoards(sandbox, dbPath);
    }
    const boardsSettledMs = Math.round(performance.now() - waitStarted);

    const db = new DatabaseSync(dbPath, { readOnly: true });
    const get = db.prepare("SELECT * FROM games WHERE id = ?");
    const missing = players.confirmed.filter((p) =>
      !pickIsStored(get.get(p.gameId) as unknown as GameRow, p)
    );
    const games = (db.prepare("SELECT COUNT(*) AS n FROM games").get() as { n: number }).n;
    db.close();
    const accepted = await acceptedPicks(blitz.httpUrl);
    const stored = storedPicks(dbPath);
    const sandboxAfter = (await sandbox.client.state()).rest;
    const stats = players.stats();
    players.close();
    const alive = (await fetch(`${blitz.httpUrl}/health/live`)).status;
    const exitCode = await stopBlitz(blitz.proc);
    const stderr = blitz.proc.stderr();
    blitz = undefined;

    const neverShown = stale.filter((s) => s.problem === "no board");
    stale = stale.filter((s) => s.problem !== "no board");
    const startsUnanswered = stats.unansweredByKind.play + stats.unansweredByKind.challenge;
    const sandboxInvalid = sandboxAfter.invalidRequests.reduce((n, c) => n + c.count, 0);
    const invalid = during.invalidRequests + sandboxInvalid;
    const invalidPer10Min = Math.round(invalid * 600 / faultSeconds);
    const all429 = during.responses429.user + during.responses429.shared +
      during.responses429.global;
    reportFigures("20 % 429s and 5 % 5xx on REST", {
      faultSeconds: Math.round(faultSeconds),
      restRequests: during.requests,
      responses429: during.responses429,
      share429Percent: Number((100 * all429 / during.requests).toFixed(1)),
      responses5xx: during.responses5xx,
      share5xxPercent: Number((100 * during.responses5xx / during.requests).toFixed(1)),
      earlyRequests: during.early.length + (sandboxAfter.earlyRequests -
        sandboxBefore.earlyRequests),
      invalidRequests: invalid,
      invalidPer10MinExtrapolated: invalidPer10Min,
      invalidCausedByClient: sandboxInvalid + during.early.length,
      edgeBans: sandboxAfter.bannedResponses,
      interactions: stats.sent,
      answered: stats.answered,
      latencyMsP50: percentile(stats.latencies, 50),
      latencyMsP99: percentile(stats.latencies, 99),
      games,
      picksAcceptedByBot: accepted,
      picksStored: stored,
      confirmedPicks: players.confirmed.length,
      confirmedPicksMissing: missing.length,
      staleBoards: stale.length,
      // Started, but the reply showing the board never reached the player in time (Discord's
      // 3 s): the player was told the interaction failed; the game can be forfeited.
      gamesNeverShown: neverShown.length,
      startsUnanswered: startsUnanswered,
      boardsSettledMs,
      exitCode,
    });

    expect(stale, JSON.stringify(stale.slice(0, 3))).toEqual([]);
    expect(neverShown.length).toBeLessThanOrEqual(startsUnanswered);
    expect(missing).toEqual([]);
    expect(stored).toBe(accepted);
    expect(during.early, JSON.stringify(during.early.slice(0, 3))).toEqual([]);
    expect(sandboxAfter.earlyRequests).toBe(sandboxBefore.earlyRequests);
    expect(sandboxAfter.bannedResponses).toBe(0);
    // A callback that never got through leaves an interaction Blitz may not follow up on: at
    // most one refused follow-up per interaction that failed.
    expect(sandboxInvalid).toBeLessThanOrEqual(stats.unanswered);
    expect(invalidPer10Min).toBeLessThan(DISCORD_INVALID_LIMIT_PER_10_MIN);
    expect(all429 / during.requests).toBeGreaterThan(0.15);
    expect(stats.confirmedPicks).toBeGreaterThan(300);
    expect(alive).toBe(200);
    expect(exitCode, stderr.split("\n").slice(-20).join("\n")).toBe(0);
    expect(stderr).not.toMatch(/Uncaught|panicked/);
  }, 240_000);
});
