/** Corrupt database at start: exit 3, the newest verified backup and the command named, file untouched. */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runBlitz, sandboxRunEnv } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { openStore } from "../../src/store/mod.ts";

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("corrupt database at start", () => {
  it(
    "exits 3 naming the newest verified backup and the restore command, leaving the file untouched",
    async () => {
      const dataDir = await tempDir();
      const dbPath = join(dataDir, "blitz.db");
      const store = openStore(dbPath);
      store.db.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)");
      const insert = store.db.prepare("INSERT INTO filler (text) VALUES (?)");
      for (let i = 0; i < 3000; i++) insert.run("x".repeat(100));
      store.close();
      const env = { BLITZ_DATA_DIR: dataDir };
      const older = await runBlitz({ args: ["backup", "--label", "older", "--json"], env });
      expect(older.code).toBe(0);
      const newer = await runBlitz({ args: ["backup", "--label", "newer", "--json"], env });
      expect(newer.code).toBe(0);
      const newestFile = JSON.parse(newer.stdout).file as string;

      const bytes = await Deno.readFile(dbPath);
      for (let i = 4096 * 2; i < 4096 * 8; i++) bytes[i] = (i * 131) & 0xff;
      await Deno.writeFile(dbPath, bytes);
      const before = await sha256(dbPath);

      const { code, stderr } = await runBlitz({ args: ["run"], env: sandboxRunEnv(dataDir) });
      expect(code).toBe(3);
      expect(stderr).toContain(dbPath);
      expect(stderr).toContain(`blitz restore ${join(dataDir, "backups", newestFile)}`);
      expect(await sha256(dbPath)).toBe(before);
    },
    120_000,
  );
});
