import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { CONFIG_FIELDS, ConfigError, loadConfig, renderEnvExample } from "../../src/config/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { REPO_ROOT } from "../_helpers/blitz_process.ts";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("fills in the documented defaults and runs in sandbox mode without a token", () => {
    const config = loadConfig({ env: {}, dotenvPath: null });
    expect(config.httpPort).toBe(8000);
    expect(config.dataDir).toBe("./data");
    expect(config.logLevel).toBe("info");
    expect(config.sandbox).toBe(true);
    expect(config.discordToken).toBeUndefined();
  });

  it("takes a flag over the environment, the environment over .env, and .env over defaults", async () => {
    const dir = await tempDir();
    const dotenv = join(dir, ".env");
    await Deno.writeTextFile(
      dotenv,
      "BLITZ_HTTP_PORT=7001\nLOG_LEVEL=debug\nBLITZ_DATA_DIR='/srv/blitz'\n# comment\n",
    );
    const fromDotenv = loadConfig({ env: {}, dotenvPath: dotenv });
    expect(fromDotenv.httpPort).toBe(7001);
    expect(fromDotenv.dataDir).toBe("/srv/blitz");
    const fromEnv = loadConfig({ env: { BLITZ_HTTP_PORT: "7002" }, dotenvPath: dotenv });
    expect(fromEnv.httpPort).toBe(7002);
    expect(fromEnv.logLevel).toBe("debug");
    const fromFlag = loadConfig({
      flags: { BLITZ_HTTP_PORT: "7003" },
      env: { BLITZ_HTTP_PORT: "7002" },
      dotenvPath: dotenv,
    });
    expect(fromFlag.httpPort).toBe(7003);
  });

  it("reports every bad value at once, naming the variable, the problem and a good example", () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { BLITZ_HTTP_PORT: "eighty", LOG_LEVEL: "loud", BLITZ_TIMEZONE: "Mars/Olympus" },
        dotenvPath: null,
      })
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/LOG_LEVEL="loud" must be one of .*for example LOG_LEVEL=info/);
    expect(problems[1]).toMatch(
      /BLITZ_HTTP_PORT="eighty" must be a whole number.*BLITZ_HTTP_PORT=8000/,
    );
    expect(problems[2]).toMatch(/BLITZ_TIMEZONE="Mars\/Olympus" is not a known IANA time zone/);
  });

  it("rejects out-of-range ports and malformed ids", () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { BLITZ_HTTP_PORT: "70000", ADMIN_USER_IDS: "123,abc", DEV_GUILD_ID: "x" },
        dotenvPath: null,
      })
    );
    expect(problems.join("\n")).toMatch(/BLITZ_HTTP_PORT="70000" must be at most 65535/);
    expect(problems.join("\n")).toMatch(/ADMIN_USER_IDS="123,abc" must be a Discord id/);
    expect(problems.join("\n")).toMatch(/DEV_GUILD_ID="x" must be a Discord id/);
  });

  it("never prints the token, even when it is malformed", () => {
    const secret = "not-a-token-but-secret-value-123";
    try {
      loadConfig({ env: { DISCORD_TOKEN: secret }, dotenvPath: null });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect((error as Error).message).toContain("DISCORD_TOKEN=(hidden)");
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it("accepts a well-formed token and leaves sandbox mode", () => {
    const config = loadConfig({ env: { DISCORD_TOKEN: TOKEN }, dotenvPath: null });
    expect(config.sandbox).toBe(false);
    expect(config.discordToken).toBe(TOKEN);
  });

  it("names the line of a .env file that is not KEY=value", async () => {
    const dir = await tempDir();
    const dotenv = join(dir, ".env");
    await Deno.writeTextFile(dotenv, "LOG_LEVEL=info\nthis is not a setting\n");
    const problems = problemsOf(() => loadConfig({ env: {}, dotenvPath: dotenv }));
    expect(problems).toEqual([
      expect.stringMatching(/line 2 is not KEY=value: "this is not a setting"/),
    ]);
  });

  it("ships a .env.example that documents every variable with its default", async () => {
    const example = await Deno.readTextFile(join(REPO_ROOT, ".env.example"));
    expect(example).toBe(renderEnvExample());
    for (const field of CONFIG_FIELDS) expect(example).toContain(`${field.env}=`);
  });
});
