import { describe, expect, it } from "vitest";
import { discordenoLogger, logText } from "../../src/bot/discord.ts";

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

describe("discordeno's logger", () => {
  const recorder = (enabled: string[]) => {
    const lines: string[] = [];
    const write = (level: string) => (_: string, props: { text: string }) =>
      lines.push(`${level} ${props.text}`);
    const logger = {
      isEnabledFor: (level: string) => enabled.includes(level),
      debug: write("debug"),
      warn: write("warning"),
      error: write("error"),
      fatal: write("fatal"),
    };
    return { logger: logger as unknown as Parameters<typeof discordenoLogger>[0], lines };
  };

  it("does not build the text of a line whose level is off", () => {
    let inspected = 0;
    const costly = { [Symbol.for("Deno.customInspect")]: () => `queue-${++inspected}` };
    const { logger, lines } = recorder(["warning", "error", "fatal"]);
    const bridge = discordenoLogger(logger);
    bridge.debug("[Queue] Deleted! Remaining:", [costly, costly]);
    bridge.info("[Shard] received", costly);
    expect(inspected).toBe(0);
    expect(lines).toEqual([]);
    bridge.warn("slow", costly);
    expect(lines).toEqual(["warning slow queue-1"]);
  });

  it("writes discordeno's info at debug and the rest at their own level", () => {
    const { logger, lines } = recorder(["debug", "warning", "error", "fatal"]);
    const bridge = discordenoLogger(logger);
    bridge.info("a");
    bridge.error(new TypeError("b"));
    bridge.fatal("c");
    expect(lines).toEqual(["debug a", "error TypeError: b", "fatal c"]);
  });
});
