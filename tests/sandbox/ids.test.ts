import { describe, expect, it } from "vitest";
import {
  applicationIdFromToken,
  createBotToken,
  createSnowflakeGenerator,
  seedSnowflake,
  snowflakeTime,
} from "../../src/sandbox/ids.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

describe("snowflakes", () => {
  it("strictly increase even when many are made in the same millisecond", () => {
    const ids = createSnowflakeGenerator(() => 1_700_000_000_000);
    const made = Array.from({ length: 5000 }, () => BigInt(ids.next()));
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
  });

  it("carry the time they were made, like Discord's", () => {
    const ids = createSnowflakeGenerator(() => 1_700_000_000_123);
    expect(snowflakeTime(ids.next())).toBe(1_700_000_000_123);
  });

  it("seeded ids are stable and older than any id made at run time", () => {
    expect(seedSnowflake(11)).toBe(seedSnowflake(11));
    expect(BigInt(seedSnowflake(4095)) < BigInt(createSnowflakeGenerator().next())).toBe(true);
  });
});

describe("bot tokens", () => {
  it("encode the application id in their first segment", () => {
    const token = createBotToken("1234567890123456789");
    expect(token.split(".")).toHaveLength(3);
    expect(applicationIdFromToken(token)).toBe("1234567890123456789");
  });

  it("a sandbox started with a Discord-shaped token adopts its application id", async () => {
    const token = createBotToken("987654321098765432");
    const sandbox = await startSandbox({ token });
    try {
      expect(sandbox.token).toBe(token);
      expect(sandbox.applicationId).toBe("987654321098765432");
    } finally {
      await sandbox.close();
    }
  });

  it("close is idempotent", async () => {
    const sandbox = await startSandbox();
    await Promise.all([sandbox.close(), sandbox.close()]);
    await sandbox.close();
    await expect(fetch(`${sandbox.url}/_sandbox/state`)).rejects.toThrow();
  });
});
