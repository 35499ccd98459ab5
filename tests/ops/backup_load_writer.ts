/**
 * Simulated load for the backup tests (run as its own process): each transaction inserts a
 * player and that player's game, so a consistent snapshot holds both rows or neither.
 * Prints "ready" after 200 commits and the number of commits when it stops (at `max`
 * commits, or when the stop file appears).
 *
 *   deno run -A tests/ops/backup_load_writer.ts DB_PATH MAX STOP_FILE
 */
import { openStore } from "../../src/store/mod.ts";

const [dbPath, maxText, stopFile] = Deno.args;
const max = Number(maxText);
const store = openStore(dbPath!);
const player = store.prepare("INSERT INTO players (id, name, last_seen) VALUES (?, ?, ?)");
const game = store.prepare(
  `INSERT INTO games (mode, status, home_id, seed, possessions, shot_clock_ms, picks, created_at, updated_at)
   VALUES ('solo', 'completed', ?, ?, 10, 15000, ?, ?, ?)`,
);
const picks = "x".repeat(400);
let commits = 0;
const stopped = () => {
  try {
    Deno.statSync(stopFile!);
    return true;
  } catch {
    return false;
  }
};
while (commits < max && !(commits % 50 === 0 && stopped())) {
  const now = Date.now();
  store.transaction(() => {
    player.run(`load-${commits}`, `Load ${commits}`, now);
    game.run(`load-${commits}`, commits, picks, now, now);
  });
  commits++;
  if (commits === 200) console.log("ready");
  if (commits % 100 === 0) await new Promise((r) => setTimeout(r, 0));
}
store.close();
console.log(`commits ${commits}`);
