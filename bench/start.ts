/**
 * Start: process start → `/health` 200 in sandbox mode, with an empty database and with
 * 100,000 stored games, and the resident memory right after start.
 */
import { BOT_V8_FLAGS } from "../src/v8_flags.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../src/store/mod.ts";
import { createGamesRepo } from "../src/store/games_repo.ts";
import { type Bench, benchDir, type Figure, freePort, round, rssOf } from "./lib.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** Starts `blitz run` on `dataDir`; resolves with ms to /health 200, then stops it. */
export async function timeStart(dataDir: string, extraEnv: Record<string, string> = {}) {
  const httpPort = freePort();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `--v8-flags=${BOT_V8_FLAGS.join(",")}`, MAIN, "run"],
    env: {
      BLITZ_DATA_DIR: dataDir,
      BLITZ_HTTP_HOST: "127.0.0.1",
      BLITZ_HTTP_PORT: String(httpPort),
      SANDBOX_PORT: String(freePort()),
      SANDBOX_PLAYERS: "0",
      LOG_LEVEL: "warning",
      NO_COLOR: "1",
      ...extraEnv,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let ms = NaN;
  const deadline = started + 30_000;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/health`);
      await response.body?.cancel();
      if (response.status === 200) {
        ms = performance.now() - started;
        break;
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  const rssAfterStart = rssOf(child.pid);
  await new Promise((r) => setTimeout(r, 3000));
  const rssSettled = rssOf(child.pid);
  child.kill("SIGTERM");
  const status = await child.status;
  return { ms, rssAfterStart, rssSettled, exitCode: status.code };
}

function storeGames(path: string, finished: number, open: number) {
  const store = openStore(path);
  const repo = createGamesRepo(store);
  const now = Date.now();
  const insert = store.prepare(
    `INSERT INTO games (guild_id, channel_id, message_id, mode, status, home_id, away_id, seed, possessions,
       shot_clock_ms, picks, home_score, away_score, winner, deadline, created_at, updated_at, finished_at)
     VALUES ('1', '2', NULL, 'challenge', ?, ?, ?, ?, 8, 30000, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  store.transaction(() => {
    for (let i = 0; i < 50_000; i++) {
      repo.touchPlayer(String(300000000000000000n + BigInt(i)), `p${i}`, now);
    }
    for (let i = 0; i < finished + open; i++) {
      const active = i >= finished;
      const home = String(300000000000000000n + BigInt((2 * i) % 50_000));
      const away = String(300000000000000000n + BigInt((2 * i + 1) % 50_000));
      insert.run(
        active ? "active" : "completed",
        home,
        away,
        i,
        active ? "0123" : "0123456789abcdef",
        active ? 4 : 18,
        active ? 2 : 12,
        active ? null : "home",
        active ? now + 3_600_000 : null,
        now - 86_400_000,
        now,
        active ? null : now - 3_600_000,
      );
    }
  });
  store.close();
}

/** Start time and memory after start. */
export const startBench: Bench = {
  name: "start",
  description: "process start → /health 200 (sandbox mode), empty and with 100,000 games stored",
  async run(): Promise<Figure[]> {
    const empty = await benchDir();
    const full = await benchDir();
    try {
      const first = await timeStart(empty.dir);
      storeGames(join(full.dir, "blitz.db"), 100_000, 0);
      const withGames = await timeStart(full.dir);
      return [
        {
          name: "start → /health 200, empty database",
          value: round(first.ms, 0),
          unit: "ms",
          target: "< 5000",
          ok: first.ms < 5000,
        },
        {
          name: "RSS right after start",
          value: round(first.rssAfterStart / 1048576, 1),
          unit: "MiB",
        },
        {
          name: "RSS 3 s after start",
          value: round(first.rssSettled / 1048576, 1),
          unit: "MiB",
          target: "< 100",
          ok: first.rssSettled < 100 * 1048576,
        },
        {
          name: "start → /health 200, 100,000 games stored",
          value: round(withGames.ms, 0),
          unit: "ms",
          target: "< 1000",
          ok: withGames.ms < 1000,
        },
        {
          name: "RSS 3 s after start, 100,000 games stored",
          value: round(withGames.rssSettled / 1048576, 1),
          unit: "MiB",
        },
        {
          name: "exit code on SIGTERM",
          value: first.exitCode,
          unit: "",
          target: "= 0",
          ok: first.exitCode === 0,
        },
      ];
    } finally {
      await empty.cleanup();
      await full.cleanup();
    }
  },
};
