/**
 * An interaction answered after Discord's 3 seconds: Discord refuses the answer with 10062, and
 * the router says so once per 10 s in one line, counts the rest, and sends nothing more.
 */
import { describe, expect, it } from "vitest";
import type { RestManager } from "@discordeno/bot";
import type { Logger } from "../../src/log.ts";
import {
  createdAtOf,
  createInteractionRouter,
  EXPIRED_LOG_WINDOW_MS,
  isExpiredInteraction,
} from "../../src/bot/router.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import type { RawInteraction } from "../../src/bot/types.ts";
import { describeDiscordFailure, isDiscordFailure } from "../../src/bot/errors.ts";
import { fakeTime } from "../_helpers/fake_time.ts";

/** What discordeno throws when Discord answers a callback with `status` and `body`. */
const refused = (status: number, body: string) =>
  new Error("Failed to send request to discord.", { cause: { ok: false, status, body } });
const UNKNOWN_INTERACTION = '{"message":"Unknown interaction","code":10062}';

function rig(options: { acceptCallbacks?: boolean; refuseWith?: Error } = {}) {
  const time = fakeTime();
  const lines: { level: string; message: string; props: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, props: Record<string, unknown> = {}) =>
    lines.push({ level, message, props });
  const logger = {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  } as unknown as Logger;
  const sent: string[] = [];
  const rest = {
    sendInteractionResponse: (id: string) => {
      sent.push(`callback ${id}`);
      return options.acceptCallbacks
        ? Promise.resolve()
        : Promise.reject(options.refuseWith ?? refused(404, UNKNOWN_INTERACTION));
    },
    sendFollowupMessage: (token: string) => {
      sent.push(`followup ${token}`);
      return Promise.resolve();
    },
    editOriginalInteractionResponse: (token: string) => {
      sent.push(`edit ${token}`);
      return Promise.reject(refused(404, UNKNOWN_INTERACTION));
    },
  } as unknown as RestManager;
  const outcomes: string[] = [];
  const errors: unknown[] = [];
  const router = createInteractionRouter({
    rest,
    logger,
    metrics: createMetrics({ uptimeSeconds: () => 0, processMetrics: false }),
    clock: time,
    timers: time,
    commands: {
      ping: (ctx) => ctx.reply({ content: "pong" }),
      // Answers at once (the callback goes through), then edits after the token is gone.
      later: async (ctx) => {
        await ctx.defer();
        await ctx.editOriginal({ content: "done" });
      },
    },
    onError: (error) => errors.push(error),
    onFinished: (_label, _seconds, outcome) => outcomes.push(outcome),
  });
  let next = 0;
  const ping = (name = "ping") =>
    router.handle({
      id: String(1300000000000000000n + BigInt(next++)),
      application_id: "1200000000000000001",
      type: 2,
      token: `token-${next}`,
      member: { user: { id: "1000000000000000001", username: "alice" } },
      data: { name },
    } as RawInteraction);
  return { time, lines, sent, outcomes, errors, ping };
}

describe("an interaction that expired before Blitz's answer reached Discord", () => {
  it("is logged once per window as a warning, the rest counted and summed up, with no apology sent", async () => {
    const { time, lines, sent, outcomes, errors, ping } = rig();
    for (let i = 0; i < 50; i++) await ping();
    expect(outcomes).toEqual(Array(50).fill("expired"));
    expect(errors).toHaveLength(50); // still counted by the error tracker
    // One callback each, and no follow-up: the token died with the interaction.
    expect(sent.filter((s) => s.startsWith("followup"))).toEqual([]);
    expect(sent).toHaveLength(50);
    expect(lines.filter((l) => l.level === "error")).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("warn");
    expect(lines[0]!.message).toMatch(/expired: its answer reached Discord after the 3 s/);
    expect(lines[0]!.props.label).toBe("ping");

    // The window ends with nothing new: the other 49 are summed up in one line.
    time.advance(EXPIRED_LOG_WINDOW_MS);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.message).toMatch(/more interactions expired/);
    expect(lines[1]!.props.count).toBe(49);

    // A later one starts a new window with its own line; nothing to sum up then.
    await ping();
    expect(lines).toHaveLength(3);
    expect(lines[2]!.message).toMatch(/expired: its answer/);
    time.advance(EXPIRED_LOG_WINDOW_MS);
    expect(lines).toHaveLength(3);
  });

  it("sums up a window's count before the next window's line when they follow each other", async () => {
    const { time, lines, ping } = rig();
    await ping();
    await ping();
    await ping();
    time.set(time.now() + EXPIRED_LOG_WINDOW_MS); // the clock moves, the timer not yet run
    await ping();
    expect(lines.map((l) => l.props.count ?? l.props.label)).toEqual(["ping", 2, "ping"]);
  });
});

describe("a token that expired after the interaction was answered", () => {
  it("is logged as such, not as an interaction the user saw fail", async () => {
    const { lines, sent, outcomes, ping } = rig({ acceptCallbacks: true });
    await ping("later");
    expect(sent.map((s) => s.split(" ")[0])).toEqual(["callback", "edit"]);
    expect(outcomes).toEqual(["expired"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("warn");
    expect(lines[0]!.message).toMatch(/was answered, but Discord no longer knew its token/);
    expect(lines[0]!.message).not.toMatch(/This interaction failed/);
  });
});

describe("an answer that failed for another reason", () => {
  it("is logged as an error, with no apology through an interaction Discord never acknowledged", async () => {
    const { lines, sent, outcomes, ping } = rig({ refuseWith: refused(503, "upstream error") });
    await ping();
    expect(outcomes).toEqual(["error"]);
    expect(lines.map((l) => l.level)).toEqual(["error"]);
    // One line with what Discord said, and no Error object whose stack the log would print.
    expect(lines[0]!.message).toMatch(/a request to Discord failed \(\{why\}\)/);
    expect(lines[0]!.props.why).toBe("HTTP 503 upstream error");
    expect(Object.values(lines[0]!.props).some((v) => v instanceof Error)).toBe(false);
    expect(sent.map((s) => s.split(" ")[0])).toEqual(["callback"]);
  });

  it("keeps the stack of an error in Blitz's own code", async () => {
    const { lines, outcomes, ping } = rig({ refuseWith: new TypeError("x is undefined") });
    await ping();
    expect(outcomes).toEqual(["error"]);
    expect(lines[0]!.props.error).toBeInstanceOf(TypeError);
  });
});

describe("describeDiscordFailure", () => {
  it("says the status and what Discord said, or why no answer came", () => {
    expect(describeDiscordFailure(refused(404, UNKNOWN_INTERACTION))).toBe(
      `HTTP 404 ${UNKNOWN_INTERACTION}`,
    );
    const timeout = new Error("Failed to send request to discord.", {
      cause: { ok: false, status: 408, error: "Discord did not answer POST /x within 15000 ms" },
    });
    expect(describeDiscordFailure(timeout)).toBe(
      "HTTP 408 Discord did not answer POST /x within 15000 ms",
    );
    const unreachable = new Error("Failed to send request to discord.", {
      cause: { ok: false, status: 999, error: "Cannot reach Discord for GET /x: refused" },
    });
    expect(describeDiscordFailure(unreachable)).toBe("Cannot reach Discord for GET /x: refused");
    expect(isDiscordFailure(unreachable)).toBe(true);
    expect(isDiscordFailure(new TypeError("x"))).toBe(false);
  });
});

describe("isExpiredInteraction", () => {
  it("is true only for Discord's 10062 on a 404", () => {
    expect(isExpiredInteraction(refused(404, UNKNOWN_INTERACTION))).toBe(true);
    expect(isExpiredInteraction(refused(404, '{"message":"Unknown Message","code":10008}')))
      .toBe(false);
    expect(isExpiredInteraction(refused(400, UNKNOWN_INTERACTION))).toBe(false);
    expect(isExpiredInteraction(refused(404, "<html>not json</html>"))).toBe(false);
    expect(isExpiredInteraction(new Error("boom"))).toBe(false);
    expect(isExpiredInteraction(undefined)).toBe(false);
  });

  it("reads when Discord created an interaction from its id", () => {
    // 2015-01-01T00:00:00.000Z is Discord's epoch; 1 << 22 is one millisecond after it.
    expect(createdAtOf(String(1n << 22n))).toBe(Date.UTC(2015, 0, 1) + 1);
    expect(createdAtOf("not a snowflake")).toBeUndefined();
  });
});
