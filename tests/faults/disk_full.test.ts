/**
 * The disk fills up under load: the data directory is a small tmpfs (`mount -t tmpfs`, root
 * only; skipped with a message otherwise) that a filler file fills to the last byte while
 * players play, then leaves too little room for a backup. Game actions fail with a clear
 * error, a backup fails with a clear error and leaves no partial file, alerts go out, the
 * database stays sound, nothing confirmed is lost — and once the space is back, play and
 * backups work again without a restart.
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import type { GameRow } from "../../src/store/games_repo.ts";
import { openStore } from "../../src/store/mod.ts";
import {
  type BlitzUnderTest,
  reportFigures,
  sleep,
  sqliteShell,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { createPlayers, pickIsStored } from "../_helpers/fault_players.ts";

const TMPFS_MB = 24;

/** Mounts a tmpfs of `mb` MB on a new directory, or says why it cannot. */
function mountTmpfs(mb: number): { dir: string } | { reason: string } {
  const dir = Deno.makeTempDirSync({ prefix: "blitz-diskfull-" });
  try {
    const out = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${mb}m`, "tmpfs", dir],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    if (out.success) return { dir };
    Deno.removeSync(dir);
    return { reason: new TextDecoder().decode(out.stderr).trim() || `exit ${out.code}` };
  } catch (error) {
    Deno.removeSync(dir);
    return { reason: String(error) };
  }
}

const mounted = mountTmpfs(TMPFS_MB);
const skipReason = "reason" in mounted
  ? `cannot mount a tmpfs for the data directory (${mounted.reason}); run as root`
  : undefined;
if (skipReason) console.log(`SKIPPED disk full: ${skipReason}`);

/** Fills the volume of `dir` with `file` until the disk is full; returns the bytes written. */
function fill(file: string): number {
  const chunk = new Uint8Array(64 * 1024).fill(0x5a);
  const handle = Deno.openSync(file, { write: true, create: true, append: true });
  let written = 0;
  try {
    for (let i = 0; i < 100_000; i++) {
      try {
        written += handle.writeSync(chunk);
      } catch {
        // The last partial chunk: fill byte by byte chunks of 512.
        const small = new Uint8Array(512);
        for (let j = 0; j < 200; j++) {
          try {
            written += handle.writeSync(small);
          } catch {
            return written;
          }
        }
        return written;
      }
    }
    return written;
  } finally {
    handle.close();
  }
}

async function api(
  blitz: BlitzUnderTest,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${blitz.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe.skipIf(skipReason !== undefined)("disk full", () => {
  const dir = "dir" in mounted ? mounted.dir : "";
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest | undefined;
  afterAll(async () => {
    if (blitz) await stopBlitz(blitz.proc);
    await sandbox?.close();
    new Deno.Command("umount", { args: [dir] }).outputSync();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  });

  it("fails clearly mid-write and mid-backup, alerts, corrupts nothing, and recovers", async () => {
    sandbox = await startSandbox();
    const dataDir = join(dir, "data");
    const dbPath = join(dataDir, "blitz.db");
    const filler = join(dir, "filler");
    // A history, so that a backup needs a few megabytes.
    Deno.mkdirSync(dataDir);
    const store = openStore(dbPath);
    store.transaction(() => {
      store.db.prepare("INSERT INTO players (id, name, last_seen) VALUES ('900', 'Veteran', 0)")
        .run();
      const game = store.db.prepare(
        `INSERT INTO games (mode, status, home_id, seed, possessions, shot_clock_ms, picks,
           created_at, updated_at, finished_at)
         VALUES ('solo', 'completed', '900', ?, 8, 30000, '5a6b7c8d9e5a6b7c', 0, 0, 0)`,
      );
      for (let g = 0; g < 25_000; g++) game.run(g);
    });
    store.close();
    const dbMb = Deno.statSync(dbPath).size / 1e6;

    blitz = await startBlitzAgainst(sandbox, dataDir, {
      env: {
        ADMIN_CHANNEL_ID: sandbox.arenaChannelId,
        HEALTH_INTERVAL_SECONDS: "1",
        CIRCUIT_BREAKER_ERRORS: "100000",
      },
    });
    const token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
    const players = createPlayers({
      sandbox,
      dbPath,
      soloSeats: 6,
      challengePairs: 2,
      thinkMs: [50, 200],
      seed: 3,
    });
    await players.run(3000);
    // Counts are compared between snapshots, so nothing may be in flight when one is taken.
    await players.settle();
    const before = players.stats();

    // Mid-write: the disk fills to the last byte while players play.
    const filled = fill(filler);
    await players.run(6000);
    await players.settle();
    const full = players.stats();
    const refusedWhileFull = full.refusals - before.refusals;
    const answeredWhileFull = full.answered - before.answered;
    const stderrFull = blitz.proc.stderr();
    // An uptime monitor looks while the disk is still full.
    const health = await fetch(`${blitz.httpUrl}/health`);
    const healthWhileFull = { status: health.status, body: await health.text() };
    const integrityFull = (await sqliteShell(dbPath, "-readonly", "PRAGMA integrity_check;"))
      .trim();

    // Mid-backup: room for the database's own writes, not for a copy of it.
    await Deno.truncate(filler, Math.max(0, filled - Math.floor(dbMb * 0.5e6)));
    const backupWhileFull = await api(blitz, token, "POST", "/api/backups", { label: "full" });
    const partials = [...Deno.readDirSync(join(dataDir, "backups"))].map((e) => e.name);
    const jobWhileFull = await api(blitz, token, "POST", "/api/jobs/backup/run", {});
    // The alert rules run on each health sample (every second): wait (bounded) for all three.
    let alerts: string[] = [];
    const alertsSeen = () =>
      [/Disk used/i, /Database errors/i, /backup/i].every((r) => alerts.some((a) => r.test(a)));
    for (let i = 0; i < 100 && !alertsSeen(); i++) {
      if (i > 0) await sleep(150);
      alerts = (await sandbox.client.messages(sandbox.arenaChannelId))
        .map((m) => `${m.content} ${m.embeds?.map((e) => e.title).join(" ")}`);
    }

    // Space returns: no restart.
    await Deno.remove(filler);
    const spaceBackAt = Date.now();
    const recoveredAt = players.stats();
    await players.run(5000);
    await players.settle();
    const after = players.stats();
    const backupAfter = await api(blitz, token, "POST", "/api/backups", { label: "after" });
    const backupFile = join(dataDir, "backups", String(backupAfter.body.file));
    const backupIntegrity = backupAfter.status === 201
      ? (await sqliteShell(backupFile, "PRAGMA integrity_check;")).trim()
      : "none";
    // /health comes back once a probe write works and no write failed for 10 s (bounded wait).
    let healthAfter = 0;
    for (let i = 0; i < 60 && healthAfter !== 200; i++) {
      if (i > 0) await sleep(500);
      healthAfter = (await fetch(`${blitz.httpUrl}/health`)).status;
    }
    const healthBackAfterS = Math.round((Date.now() - spaceBackAt) / 100) / 10;
    players.close();
    const exitCode = await stopBlitz(blitz.proc);
    const stderr = blitz.proc.stderr();
    blitz = undefined;

    const integrityAfter = (await sqliteShell(dbPath, "PRAGMA integrity_check;")).trim();
    const db = new DatabaseSync(dbPath, { readOnly: true });
    const get = db.prepare("SELECT * FROM games WHERE id = ?");
    const missing = players.confirmed.filter((p) =>
      !pickIsStored(get.get(p.gameId) as unknown as GameRow, p)
    );
    db.close();

    const diskFullErrors = stderrFull.match(/database or disk is full/g)?.length ?? 0;
    const diskAlert = alerts.find((a) => /Disk used/i.test(a));
    const dbErrorAlert = alerts.find((a) => /Database errors/i.test(a));
    const backupAlert = alerts.find((a) => /backup/i.test(a));
    reportFigures("disk full mid-write and mid-backup", {
      tmpfsMb: TMPFS_MB,
      databaseMb: Number(dbMb.toFixed(1)),
      interactionsWhileFull: full.sent - before.sent,
      answeredWhileFull,
      refusedOrApologizedWhileFull: refusedWhileFull,
      diskFullErrorsLogged: diskFullErrors,
      integrityWhileFull: integrityFull,
      backupWhileFull: `${backupWhileFull.status} ${backupWhileFull.body.error}`,
      partialFilesLeft: partials.filter((n) => n.includes(".partial-")).length,
      backupJobWhileFull: jobWhileFull.body.outcome ?? jobWhileFull.status,
      alerts: [diskAlert, dbErrorAlert, backupAlert].filter(Boolean).length,
      healthWhileFull: `${healthWhileFull.status} ${JSON.parse(healthWhileFull.body).failing}`,
      confirmedPicksAfterRecovery: after.confirmedPicks - recoveredAt.confirmedPicks,
      backupAfterRecovery: backupAfter.status,
      backupAfterIntegrity: backupIntegrity,
      healthAfter,
      healthBackAfterS,
      integrityAfter,
      confirmedPicksMissing: missing.length,
      exitCode,
    });

    // Mid-write: a clear error, and players were told (not left hanging).
    expect(diskFullErrors).toBeGreaterThan(0);
    expect(answeredWhileFull).toBe(full.sent - before.sent);
    expect(full.unanswered - before.unanswered).toBe(0);
    expect(refusedWhileFull).toBeGreaterThan(0);
    expect(integrityFull).toBe("ok");
    // Mid-backup: a clear error, no partial file.
    expect(backupWhileFull.status).toBe(500);
    expect(String(backupWhileFull.body.message)).toMatch(/disk .* is full/);
    expect(partials.filter((n) => n.includes(".partial-"))).toEqual([]);
    // Alerts for the operator.
    expect(diskAlert, alerts.join("\n")).toBeDefined();
    expect(dbErrorAlert, alerts.join("\n")).toBeDefined();
    // And an uptime monitor sees it: /health fails its database check while writes fail.
    expect(healthWhileFull.status).toBe(503);
    expect(JSON.parse(healthWhileFull.body).failing).toContain("database cannot write (disk full)");
    // Space back: play and backups work again, without a restart.
    expect(after.confirmedPicks - recoveredAt.confirmedPicks).toBeGreaterThan(50);
    expect(backupAfter.status).toBe(201);
    expect(backupIntegrity).toBe("ok");
    expect(healthAfter).toBe(200);
    expect(integrityAfter).toBe("ok");
    expect(missing).toEqual([]);
    expect(exitCode, stderr.split("\n").slice(-15).join("\n")).toBe(0);
  }, 180_000);
});
