import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runBlitz, sandboxRunEnv, spawnBlitz, waitForHttp200 } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { HAVE_SQLITE3, markerAndCount, seedPlayers, sqlite3 } from "../ops/backup_helpers.ts";
import { openStore } from "../../src/store/mod.ts";

/** Writes to the live database beside the running instance (WAL: a second writer waits its turn). */
function writeBeside(dbPath: string, marker: string, from: number, count: number): void {
  const db = new DatabaseSync(dbPath);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("BEGIN IMMEDIATE");
  const player = db.prepare("INSERT INTO players (id, name, last_seen) VALUES (?, ?, 0)");
  for (let i = from; i < from + count; i++) player.run(`live${i}`, `Live ${i}`);
  db.prepare(
    "INSERT INTO settings (key, value) VALUES ('marker', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )
    .run(marker);
  db.exec("COMMIT");
  db.close();
}

describe("backups of a running instance (blitz run in sandbox mode)", () => {
  it.runIf(HAVE_SQLITE3)(
    "backs up through POST /api/backups and the CLI, restores through POST /api/restore and blitz restore --online",
    async () => {
      const dataDir = await tempDir();
      const dbPath = join(dataDir, "blitz.db");
      const seed = openStore(dbPath);
      seedPlayers(seed, 0, 10);
      seed.setSetting("marker", "first");
      seed.close();

      const env = sandboxRunEnv(dataDir);
      const proc = spawnBlitz({ args: ["run"], env });
      const base = `http://127.0.0.1:${env.httpPort}`;
      let finished = false;
      try {
        await waitForHttp200(`${base}/health`, proc, 30_000);
        const token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
        const api = async (method: string, path: string, body?: unknown) => {
          const response = await fetch(`${base}${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
          return { status: response.status, body: await response.json() };
        };

        const created = await api("POST", "/api/backups", { label: "e2e" });
        expect(created.status).toBe(201);
        expect(created.body.rowCounts.players).toBe(10);

        // The CLI works beside the running instance too.
        const cli = await runBlitz({ args: ["backup", "--json", "-d", dataDir] });
        expect(cli.code).toBe(0);
        // ... but a plain restore is refused while it runs.
        const refused = await runBlitz({
          args: ["restore", created.body.file, "--yes", "-d", dataDir],
        });
        expect(refused.code).toBe(75);
        expect(refused.stderr).toContain(`pid ${proc.pid}`);

        writeBeside(dbPath, "second", 0, 7);
        expect(markerAndCount(dbPath)).toEqual({ marker: "second", players: 17 });

        const restored = await api("POST", "/api/restore", {
          file: created.body.file,
          confirm: true,
        });
        expect(restored.status).toBe(200);
        expect(restored.body.preRestore.rowCounts.players).toBe(17);
        expect(markerAndCount(dbPath)).toEqual({ marker: "first", players: 10 });
        expect(sqlite3(dbPath, "PRAGMA integrity_check")).toBe("ok");
        expect(markerAndCount(join(dataDir, "backups", restored.body.preRestore.file))).toEqual({
          marker: "second",
          players: 17,
        });

        // The instance keeps working on the restored database.
        expect((await fetch(`${base}/health`)).status).toBe(200);
        writeBeside(dbPath, "third", 100, 1);
        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).toMatch(/^blitz_backups_total\{outcome="success"\} [1-9]\d*$/m);
        expect(metrics).toMatch(/^blitz_backup_last_verified_age_seconds \d+$/m);

        // blitz restore --online asks the running instance to do it.
        const online = await runBlitz({
          args: ["restore", restored.body.preRestore.file, "--online", "--yes", "-d", dataDir],
          env: { BLITZ_HTTP_PORT: env.httpPort, BLITZ_HTTP_HOST: "127.0.0.1" },
        });
        expect(online.stderr).toBe("");
        expect(online.code).toBe(0);
        expect(online.stdout).toMatch(/^Restored /m);
        expect(markerAndCount(dbPath)).toEqual({ marker: "second", players: 17 });
        expect((await fetch(`${base}/health`)).status).toBe(200);
        finished = true;
      } finally {
        proc.kill("SIGTERM");
        const code = await proc.exited;
        if (finished) expect(code, proc.stderr()).toBe(0); // else the first failure is the one to see
      }
      expect(sqlite3(dbPath, "PRAGMA integrity_check")).toBe("ok");
    },
    90_000,
  );
});
