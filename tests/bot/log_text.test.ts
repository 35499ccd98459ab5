import { describe, expect, it } from "vitest";
import { logText } from "../../src/bot/discord.ts";

describe("discordeno's log lines", () => {
  it("names a failed gateway connection in one line, not a 40-line event dump", () => {
    const event = new ErrorEvent("error", {
      message: "Unexpected EOF",
      error: new Error("Unexpected EOF"),
    });
    const line = logText(["[Shard] There was an error connecting Shard #0.", event]);
    expect(line).toBe(
      "[Shard] There was an error connecting Shard #0. WebSocket error: Unexpected EOF",
    );
    expect(line).not.toContain("\n");
  });

  it("gives errors by name and message, close events by code, other values on one line", () => {
    expect(logText([new TypeError("bad")])).toBe("TypeError: bad");
    expect(logText([new CloseEvent("close", { code: 4004, reason: "Authentication failed" })]))
      .toBe("WebSocket closed with code 4004 (Authentication failed)");
    const line = logText(["payload", { op: 10, d: { heartbeat_interval: 41250, nested: [1, 2] } }]);
    expect(line).toContain("heartbeat_interval: 41250");
    expect(line).not.toContain("\n");
  });
});
