import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import { createBackupService } from "../../src/ops/backup/mod.ts";
import { runBlitz } from "../_helpers/blitz_process.ts";
import { freePort } from "../_helpers/ports.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { startOpsRun } from "../ops/ops_e2e.ts";

interface Check {
  name: string;
  status: "pass" | "warn" | "fail" | "skip";
  detail: string;
  fix?: string;
}

/** A data directory as a healthy installation has it: a database and a verified backup. */
async function healthyDataDir(): Promise<string> {
  const dir = await tempDir();
  const store = openStore(join(dir, "blitz.db"));
  store.close();
  await Deno.writeTextFile(join(dir, "admin.token"), "x".repeat(43) + "\n", { mode: 0o600 });
  const backups = createBackupService({ dataDir: dir });
  await backups.backup({ kind: "manual" });
  await backups.close();
  return dir;
}

function healthyEnv(dataDir: string): Record<string, string> {
  return {
    BLITZ_DATA_DIR: dataDir,
    BLITZ_HTTP_HOST: "127.0.0.1",
    BLITZ_HTTP_PORT: String(freePort()),
    ADMIN_CHANNEL_ID: "123456789012345678",
    STATS_CHANNEL_ID: "123456789012345679",
  };
}

async function doctor(env: Record<string, string>, json = true) {
  const result = await runBlitz({
    args: ["doctor", ...(json ? ["--json"] : [])],
    env,
    cwd: env.BLITZ_DATA_DIR,
  });
  if (!json) return { ...result, checks: [] as Check[], ok: undefined };
  const parsed = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  return { ...result, ...parsed };
}

const failing = (checks: Check[]) => checks.filter((c) => c.status === "fail").map((c) => c.name);

describe("blitz doctor", () => {
  let healthy: string;
  beforeAll(async () => {
    healthy = await healthyDataDir();
  });

  it("passes every check on a healthy setup and exits 0", async () => {
    const result = await doctor(healthyEnv(healthy), false);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((l) => /^[✓!✗-] /.test(l)).map((l) => l.split(":")[0])).toEqual([
      "✓ Configuration",
      "✓ Discord token",
      "✓ Data directory",
      "✓ Database",
      "✓ Disk",
      "✓ HTTP port",
      "✓ Backups",
      "✓ Admin channel",
      "✓ Stats channel",
      "✓ Clock and time zone",
    ]);
    expect(result.stdout).toMatch(/✓ Backups: newest blitz-.*-manual\.db, \d+ s old, verified/);
    expect(result.stdout).toMatch(/All checks passed\./);
  });

  it("prints the same checklist as JSON", async () => {
    const result = await doctor(healthyEnv(healthy));
    expect(result.code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.checks).toHaveLength(10);
    expect(result.checks[3]).toMatchObject({ name: "Database", status: "pass" });
    expect(result.checks[3]!.detail).toMatch(/^intact, schema \d+; 0 games, 0 players$/);
  });

  const broken: [
    string,
    (dir: string, env: Record<string, string>) => Promise<void> | void,
    string,
    RegExp,
  ][] = [
    [
      "an invalid variable",
      (_d, env) => void (env.BLITZ_HTTP_PORT = "99999"),
      "Configuration",
      /BLITZ_HTTP_PORT="99999" must be at most 65535.*BLITZ_HTTP_PORT=8000/,
    ],
    [
      "a token of the wrong shape",
      (_d, env) => void (env.DISCORD_TOKEN = "not-a-token"),
      "Discord token",
      /Reset Token/,
    ],
    [
      "an admin token others can read",
      (dir) => Deno.chmod(join(dir, "admin.token"), 0o644),
      "Data directory",
      /chmod 600/,
    ],
    [
      "a corrupt database",
      (dir) => Deno.writeTextFile(join(dir, "blitz.db"), "this is not sqlite".repeat(100)),
      "Database",
      /blitz restore/,
    ],
    [
      "a nearly full disk",
      (_d, env) => void (env.ALERT_DISK_USED_PERCENT = "critical=0.01"),
      "Disk",
      /blitz backup prune/,
    ],
    [
      "no backup",
      (dir) => Deno.remove(join(dir, "backups"), { recursive: true }),
      "Backups",
      /blitz backup/,
    ],
    [
      "a backup too old",
      (_d, env) => void (env.ALERT_BACKUP_AGE_HOURS = "warning=0.00001"),
      "Backups",
      /blitz backup/,
    ],
    [
      "no admin channel",
      (_d, env) => void delete env.ADMIN_CHANNEL_ID,
      "Admin channel",
      /ADMIN_CHANNEL_ID/,
    ],
    [
      "no stats channel",
      (_d, env) => void delete env.STATS_CHANNEL_ID,
      "Stats channel",
      /STATS_CHANNEL_ID/,
    ],
  ];
  for (const [what, breakIt, name, fix] of broken) {
    it(`fails the ${name} check on ${what}, with a fix, and exits 1`, async () => {
      const dir = await healthyDataDir();
      const env = healthyEnv(dir);
      await breakIt(dir, env);
      const result = await doctor(env);
      expect(result.code).toBe(1);
      expect(result.ok).toBe(false);
      expect(failing(result.checks)).toEqual([name]);
      const check = result.checks.find((c) => c.name === name)!;
      expect(`${check.detail} ${check.fix}`).toMatch(fix);
    });
  }

  it("fails the HTTP port check when another program holds the port", async () => {
    const env = healthyEnv(healthy);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(env.BLITZ_HTTP_PORT) });
    try {
      const result = await doctor(env, false);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/✗ HTTP port: 127\.0\.0\.1:\d+ is used by another program/);
      expect(result.stdout).toMatch(/ {4}fix: stop it, or set BLITZ_HTTP_PORT to a free port/);
      expect(result.stdout).toMatch(/1 check failed\./);
    } finally {
      listener.close();
    }
  });

  it("asks the running instance for its health instead of the port", async () => {
    const run = await startOpsRun();
    try {
      const port = new URL(run.httpUrl).port;
      const result = await doctor({
        BLITZ_DATA_DIR: run.dataDir,
        BLITZ_HTTP_HOST: "127.0.0.1",
        BLITZ_HTTP_PORT: port,
        ADMIN_CHANNEL_ID: "123456789012345678",
        STATS_CHANNEL_ID: "123456789012345679",
      });
      const check = result.checks.find((c) => c.name === "HTTP port")!;
      expect(check.status).toBe("pass");
      expect(check.detail).toMatch(
        new RegExp(
          `^Blitz \\(pid ${run.blitz.pid}\\) is running and http://127\\.0\\.0\\.1:${port}/health answers healthy$`,
        ),
      );
      expect(result.checks.find((c) => c.name === "Database")!.status).toBe("pass");
    } finally {
      await run.stop();
    }
  });
});
