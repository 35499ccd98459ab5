/**
 * Backup benchmark: builds a Blitz database of about 100 MB (`--mb N` to change), then backs it
 * up through the backup service's Worker while a 1 ms timer on the main thread records the worst
 * event-loop stall — and does the same work on the main thread for comparison (the service with
 * an inline runner, a bare `VACUUM INTO`, and node:sqlite's `backup()`).
 *
 *   deno run -A bench/backup.ts [--mb 100] [--json]
 */
import { backup as sqliteBackup, DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openStore } from "../src/store/mod.ts";
import { createBackupService, createJobRunner } from "../src/ops/backup/mod.ts";

function argValue(name: string): string | undefined {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

const targetMb = Number(argValue("--mb") ?? 100);
const json = Deno.args.includes("--json");

/** Fills the games table until the file reaches `mb` megabytes. */
function buildDatabase(path: string, mb: number): number {
  const store = openStore(path);
  const now = Date.now();
  const playerCount = 5000;
  store.transaction(() => {
    const insert = store.prepare(
      "INSERT INTO players (id, name, rating, last_seen) VALUES (?, ?, ?, ?)",
    );
    for (let i = 0; i < playerCount; i++) insert.run(`p${i}`, `Player ${i}`, 900 + (i % 400), now);
  });
  const insertGame = store.prepare(
    `INSERT INTO games (guild_id, channel_id, mode, status, home_id, away_id, seed, possessions, shot_clock_ms,
       picks, home_score, away_score, winner, created_at, updated_at, finished_at)
     VALUES (?, ?, 'challenge', 'completed', ?, ?, ?, 20, 15000, ?, ?, ?, 'home', ?, ?, ?)`,
  );
  const picks = "abcdefghijklmnopqrstuvwxyz";
  let n = 0;
  while (Deno.statSync(path).size < mb * 1024 * 1024) {
    store.transaction(() => {
      for (let i = 0; i < 10_000; i++, n++) {
        const seed = (n * 2654435761) >>> 0;
        let pickText = "";
        for (let k = 0; k < 160; k++) pickText += picks[(seed >>> (k % 24)) % 26];
        const t = now - n * 1000;
        insertGame.run(
          "111111111111111111",
          "222222222222222222",
          `p${n % playerCount}`,
          `p${(n * 7 + 1) % playerCount}`,
          seed,
          pickText,
          seed % 120,
          (seed >>> 8) % 120,
          t,
          t,
          t,
        );
      }
    });
    store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  store.close();
  return n;
}

/** Runs `work` while a 1 ms interval timer measures the longest gap between its ticks. */
async function measure(
  work: () => Promise<unknown> | unknown,
): Promise<{ seconds: number; maxStallMs: number }> {
  let last = performance.now();
  let maxStall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStall = Math.max(maxStall, now - last - 1);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  maxStall = 0;
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(timer);
  return { seconds, maxStallMs: Math.max(0, maxStall) };
}

const dir = await Deno.makeTempDir({ prefix: "blitz-bench-backup-" });
try {
  const dbPath = join(dir, "blitz.db");
  const buildStarted = performance.now();
  const games = buildDatabase(dbPath, targetMb);
  const sizeMb = Deno.statSync(dbPath).size / 1024 / 1024;
  if (!json) {
    console.log(
      `Built ${dbPath}: ${sizeMb.toFixed(1)} MB, ${games} games in ${
        ((performance.now() - buildStarted) / 1000).toFixed(1)
      } s`,
    );
  }

  const results: Record<string, { seconds: number; mbPerSecond: number; maxStallMs: number }> = {};
  const record = (name: string, r: { seconds: number; maxStallMs: number }) => {
    results[name] = {
      seconds: r.seconds,
      mbPerSecond: sizeMb / r.seconds,
      maxStallMs: r.maxStallMs,
    };
  };

  const inWorker = createBackupService({ dataDir: dir }, {
    backupDir: join(dir, "backups-worker"),
  });
  record(
    "service, Worker (what Blitz does)",
    await measure(() => inWorker.backup({ label: "bench" })),
  );

  const inline = createBackupService(
    { dataDir: dir, runner: createJobRunner({ inline: true }) },
    { backupDir: join(dir, "backups-inline") },
  );
  record(
    "service, main thread (comparison)",
    await measure(() => inline.backup({ label: "bench" })),
  );

  record(
    "naive VACUUM INTO, main thread",
    await measure(() => {
      const db = new DatabaseSync(dbPath, { readOnly: true });
      db.exec(`VACUUM INTO '${join(dir, "naive-vacuum.db")}'`);
      db.close();
    }),
  );

  record(
    "naive node:sqlite backup(), main thread",
    await measure(async () => {
      const db = new DatabaseSync(dbPath, { readOnly: true });
      await sqliteBackup(db, join(dir, "naive-backup.db"));
      db.close();
    }),
  );

  if (json) {
    console.log(JSON.stringify({ databaseMb: sizeMb, games, results }));
  } else {
    console.log("");
    console.log(
      `${"method".padEnd(42)} ${"seconds".padStart(8)} ${"MB/s".padStart(8)} ${
        "max stall ms".padStart(13)
      }`,
    );
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `${name.padEnd(42)} ${r.seconds.toFixed(3).padStart(8)} ${
          r.mbPerSecond.toFixed(0).padStart(8)
        } ${r.maxStallMs.toFixed(1).padStart(13)}`,
      );
    }
    console.log(
      "\n(service = snapshot + integrity_check + row counts + SHA-256 + fsync + rename + manifest)",
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
