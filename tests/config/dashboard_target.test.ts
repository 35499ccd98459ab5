import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadConfig } from "../../src/config/mod.ts";
import { DashboardTargetError, resolveDashboardTarget } from "../../src/config/dashboard_target.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { runBlitz } from "../_helpers/blitz_process.ts";

describe("the dashboard's light configuration", () => {
  it("resolves data directory, host and port exactly as the full configuration does", async () => {
    const dir = await tempDir();
    const dotenv = join(dir, ".env");
    await Deno.writeTextFile(dotenv, "BLITZ_HTTP_PORT=7001\nBLITZ_DATA_DIR='/srv/blitz'\n");
    const cases: Array<
      { flags?: Record<string, string>; env: Record<string, string>; dotenvPath: string | null }
    > = [
      { env: {}, dotenvPath: null },
      { env: {}, dotenvPath: dotenv },
      { env: { BLITZ_HTTP_PORT: "7002", BLITZ_HTTP_HOST: "10.0.0.1" }, dotenvPath: dotenv },
      { flags: { BLITZ_DATA_DIR: "/flag" }, env: { BLITZ_DATA_DIR: "/env" }, dotenvPath: dotenv },
    ];
    for (const sources of cases) {
      const full = loadConfig(sources);
      expect(resolveDashboardTarget(sources)).toEqual({
        dataDir: full.dataDir,
        httpHost: full.httpHost,
        httpPort: full.httpPort,
      });
    }
  });

  it("names a bad port and how to write it", () => {
    expect(() => resolveDashboardTarget({ env: { BLITZ_HTTP_PORT: "80a" }, dotenvPath: null }))
      .toThrow(DashboardTargetError);
    expect(() => resolveDashboardTarget({ env: { BLITZ_HTTP_PORT: "70000" }, dotenvPath: null }))
      .toThrow(/BLITZ_HTTP_PORT="70000" must be a whole number from 0 to 65535 \(for example/);
  });

  it("blitz tui is not stopped by a setting only the bot uses, but is by a bad port", async () => {
    const dir = await tempDir();
    await Deno.writeTextFile(join(dir, "admin.token"), "t".repeat(43));
    const badToken = await runBlitz({
      args: ["tui"],
      env: { BLITZ_DATA_DIR: dir, DISCORD_TOKEN: "not-a-token" },
    });
    // It gets as far as asking for a terminal: the bot's settings were not in its way.
    expect(badToken.stderr).toContain("needs an interactive terminal");
    expect(badToken.code).toBe(2);

    const badPort = await runBlitz({
      args: ["tui"],
      env: { BLITZ_DATA_DIR: dir, BLITZ_HTTP_PORT: "eighty" },
    });
    expect(badPort.code).toBe(78);
    expect(badPort.stderr).toContain('BLITZ_HTTP_PORT="eighty" must be a whole number');
    expect(badPort.stderr).not.toMatch(/\n\s+at /);
  });
});
