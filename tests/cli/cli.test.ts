import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runBlitz, sandboxRunEnv } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { LATEST_SCHEMA_VERSION } from "../../src/store/mod.ts";

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("blitz command line", () => {
  it("prints help with every verb and the exit codes", async () => {
    const { code, stdout } = await runBlitz({ args: ["--help"] });
    expect(code).toBe(0);
    expect(stdout).toMatch(/run \[options\]/);
    expect(stdout).toMatch(/version/);
    expect(stdout).toMatch(/75 +data directory held by another running Blitz/);
    expect(stdout).toMatch(/78 +configuration invalid/);
  });

  it("gives every verb its own --help", async () => {
    const { code, stdout } = await runBlitz({ args: ["run", "--help"] });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: blitz run \[options\]/);
    expect(stdout).toMatch(/--data-dir/);
  });

  it("answers an unknown verb with one error line and the usage, exit 2", async () => {
    const { code, stderr } = await runBlitz({ args: ["frobnicate"] });
    expect(code).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toBe("error: unknown command 'frobnicate'");
    expect(lines[1]).toBe("Usage: blitz [options] [command]");
  });

  it("answers an unknown flag with one error line and the verb's usage, exit 2", async () => {
    const { code, stderr } = await runBlitz({ args: ["run", "--turbo"] });
    expect(code).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toBe("error: unknown option '--turbo'");
    expect(lines[1]).toBe("Usage: blitz run [options]");
  });

  it("prints its version", async () => {
    const { code, stdout } = await runBlitz({ args: ["version", "--json"] });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ blitz: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("reports three bad configuration values together and exits 78", async () => {
    const dataDir = await tempDir();
    const { code, stderr } = await runBlitz({
      args: ["run"],
      env: {
        BLITZ_DATA_DIR: dataDir,
        BLITZ_HTTP_PORT: "http",
        LOG_LEVEL: "chatty",
        BACKUP_KEEP: "1",
        BLITZ_TIMEZONE: "Nowhere/City",
      },
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/Configuration is invalid \(3 problems\)/);
    expect(stderr).toMatch(/BLITZ_HTTP_PORT="http"/);
    expect(stderr).toMatch(/LOG_LEVEL="chatty"/);
    expect(stderr).toMatch(/BLITZ_TIMEZONE="Nowhere\/City"/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it("names the port and the variable when the HTTP port is in use, exit 78", async () => {
    const dataDir = await tempDir();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const env = sandboxRunEnv(dataDir);
      const { code, stderr } = await runBlitz({
        args: ["run"],
        env: { ...env, BLITZ_HTTP_PORT: String(port) },
      });
      expect(code).toBe(78);
      expect(stderr).toContain(`127.0.0.1:${port}: the port is already in use`);
      expect(stderr).toContain("BLITZ_HTTP_PORT");
      expect(await Deno.stat(join(dataDir, "blitz.lock")).catch(() => null)).toBeNull();
    } finally {
      listener.close();
    }
  });

  it("refuses a corrupt database with exit 3, says how to restore, and leaves the file untouched", async () => {
    const dataDir = await tempDir();
    const dbPath = join(dataDir, "blitz.db");
    await Deno.writeTextFile(dbPath, "definitely not sqlite ".repeat(100));
    const before = await sha256(dbPath);
    const { code, stderr } = await runBlitz({ args: ["run"], env: sandboxRunEnv(dataDir) });
    expect(code).toBe(3);
    expect(stderr).toContain(dbPath);
    expect(stderr).toMatch(/blitz restore/);
    expect(await sha256(dbPath)).toBe(before);
  });

  it("refuses a database from a newer schema with exit 3 and names both versions", async () => {
    const dataDir = await tempDir();
    const dbPath = join(dataDir, "blitz.db");
    const db = new DatabaseSync(dbPath);
    db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const { code, stderr } = await runBlitz({ args: ["run"], env: sandboxRunEnv(dataDir) });
    expect(code).toBe(3);
    expect(stderr).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect(stderr).toContain(`up to ${LATEST_SCHEMA_VERSION}`);
  });
});

describe("logging format", () => {
  it("writes one JSON object per line on stderr with LOG_FORMAT=json", async () => {
    const dataDir = await tempDir();
    await Deno.writeTextFile(join(dataDir, "blitz.db"), "not a database ".repeat(50));
    const { code, stderr } = await runBlitz({
      args: ["run"],
      env: { ...sandboxRunEnv(dataDir), LOG_FORMAT: "json" },
    });
    expect(code).toBe(3);
    const lines = stderr.trim().split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line);
      expect(record).toHaveProperty("level");
      expect(record).toHaveProperty("message");
    }
  });
});
