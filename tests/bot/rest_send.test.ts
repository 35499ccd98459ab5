/**
 * discordeno 21.0.0's REST sending against the sandbox's faults: first the library as
 * published (the evidence for docs/DECISIONS.md D10–D11), then with Blitz's `installRestSend`.
 */
import { createRestManager, type RestManager } from "@discordeno/bot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlots, inDiscordsFormat, installRestSend } from "../../src/bot/rest_send.ts";
import { log } from "../../src/log.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

let sandbox: Sandbox;
let managers: RestManager[] = [];

beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  for (const rest of managers) {
    for (const queue of rest.queues.values()) {
      clearTimeout(queue.deleteQueueTimeout);
      clearTimeout(queue.timeoutId);
    }
  }
  managers = [];
  await sandbox.close();
});

/** A REST manager on discordeno's queued path (as Blitz runs it), optionally with our sender. */
function manager(
  options: { patched: boolean; timeoutMs?: number; maxInFlight?: number },
): RestManager {
  const rest = createRestManager({
    token: sandbox.token,
    proxy: { baseUrl: sandbox.restUrl },
    logger: quiet as never,
  });
  rest.isProxied = false;
  if (options.patched) {
    installRestSend(rest, {
      timeoutMs: options.timeoutMs ?? 15_000,
      maxInFlight: options.maxInFlight,
      logger: log("test"),
    });
  }
  managers.push(rest);
  return rest;
}

const early = async () => (await sandbox.client.state()).rest.earlyRequests;

describe("429 handling", () => {
  it("as published, 21.0.0 retries a shared-scope 429 after Reset-After, before its Retry-After", async () => {
    const rest = manager({ patched: false });
    await sandbox.client.rateLimit({
      route: "GET /users/@me",
      scope: "shared",
      durationMs: 1200,
      resetAfterMs: 100,
    });
    const me = await rest.get<{ id: string }>("/users/@me");
    expect(String(me.id)).toBe(sandbox.applicationId);
    expect(await early()).toBeGreaterThan(0);
  });

  it("with installRestSend, a shared-scope 429 is retried only after retry_after", async () => {
    const rest = manager({ patched: true });
    // Timed from before the fault exists: the retry may only come once it is over.
    const started = Date.now();
    const fault = await sandbox.client.rateLimit({
      route: "GET /users/@me",
      scope: "shared",
      durationMs: 1200,
      resetAfterMs: 100,
    });
    const me = await rest.get<{ id: string }>("/users/@me");
    expect(String(me.id)).toBe(sandbox.applicationId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
    expect(await early()).toBe(0);
    expect((await sandbox.client.faultRecord(fault.id))?.outcome).toBe("retried after Retry-After");
  });

  it("with installRestSend, a global 429 (no Reset-After) holds the retry until retry_after", async () => {
    const rest = manager({ patched: true });
    await sandbox.client.rateLimit({ scope: "global", durationMs: 800 });
    const results = await Promise.all([
      rest.get("/users/@me"),
      rest.get("/applications/@me"),
      rest.get(`/channels/${sandbox.channelId}`),
    ]);
    expect(results).toHaveLength(3);
    expect(await early()).toBe(0);
  });

  it("with installRestSend, a user-scope 429 on a route holds the other requests to it", async () => {
    const rest = manager({ patched: true });
    await sandbox.client.rateLimit({ route: "GET /users/@me", durationMs: 600 });
    await Promise.all([rest.get("/users/@me"), rest.get("/users/@me"), rest.get("/users/@me")]);
    expect(await early()).toBe(0);
  });

  it("with installRestSend, a Cloudflare ban (429 without JSON) fails at once instead of retrying", async () => {
    await sandbox.client.updateSettings({ invalidRequestLimit: 1, invalidRequestBanMs: 60_000 });
    await fetch(`${sandbox.restUrl}/v10/users/@me`).then((r) => r.body?.cancel()); // 401: banned now
    const rest = manager({ patched: true });
    const started = Date.now();
    const error = await rest.get("/users/@me").catch((e) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.cause).toMatchObject({ status: 429 });
    expect(error.cause.error).toMatch(/temporarily banned for too many invalid requests/);
    expect((await sandbox.client.state()).rest.bannedResponses).toBe(1);
  });
});

describe("stalled requests", () => {
  it("as published, 21.0.0 waits for a stalled request as long as the server holds it", async () => {
    const rest = manager({ patched: false });
    const fault = await sandbox.client.stall({ route: "GET /users/@me", durationMs: 60_000 });
    let settled = false;
    const pending = rest.get("/users/@me").then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(settled).toBe(false);
    await sandbox.client.endFault(fault.id); // the sandbox answers 504 at last
    await pending;
    expect(settled).toBe(true);
  });

  it("with installRestSend, a stalled request fails after the timeout and its queue goes on", async () => {
    const rest = manager({ patched: true, timeoutMs: 300 });
    const fault = await sandbox.client.stall({ route: "GET /users/@me", durationMs: 60_000 });
    const started = Date.now();
    const error = await rest.get("/users/@me").catch((e) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.cause).toMatchObject({ status: 408 });
    expect(error.cause.error).toMatch(/did not answer GET \/users\/@me within 300 ms/);
    // The sandbox learns of the abort when the connection tells it (polled, at most 2 s).
    let story = await sandbox.client.faultRecord(fault.id);
    for (let i = 0; i < 100 && !story?.counts.abandoned; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      story = await sandbox.client.faultRecord(fault.id);
    }
    expect(story?.counts.abandoned).toBe(1);
    await sandbox.client.endFault(fault.id);
    const me = await rest.get<{ id: string }>("/users/@me");
    expect(String(me.id)).toBe(sandbox.applicationId);
  });
});

describe("requests in flight", () => {
  /** `count` requests at once that the queues do not hold back (as interaction callbacks go). */
  const burst = (rest: RestManager, count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        rest.get<{ id: string }>("/users/@me", { runThroughQueue: false })),
    );
  const slowDiscord = () =>
    sandbox.client.latency({ route: "GET /users/@me", latencyMs: 150, durationMs: 10_000 });

  it("as published, 21.0.0 sends a burst all at once, one connection per request", async () => {
    const rest = manager({ patched: false });
    await slowDiscord();
    expect(await burst(rest, 30)).toHaveLength(30);
    expect((await sandbox.client.state()).rest.peakInFlight).toBe(30);
  });

  it("with installRestSend, at most maxInFlight are open at once and every one is answered", async () => {
    const rest = manager({ patched: true, maxInFlight: 8 });
    await slowDiscord();
    const answers = await burst(rest, 30);
    expect(answers.map((me) => String(me.id))).toEqual(Array(30).fill(sandbox.applicationId));
    const state = (await sandbox.client.state()).rest;
    expect(state.peakInFlight).toBe(8);
    expect(state.inFlight).toBe(0);
  });

  it("with installRestSend, a request that timed out gives its slot back", async () => {
    const rest = manager({ patched: true, timeoutMs: 300, maxInFlight: 1 });
    const fault = await sandbox.client.stall({ route: "GET /users/@me", durationMs: 60_000 });
    const error = await rest.get("/users/@me", { runThroughQueue: false }).catch((e) => e);
    expect(error.cause).toMatchObject({ status: 408 });
    await sandbox.client.endFault(fault.id);
    const me = await rest.get<{ id: string }>("/users/@me", { runThroughQueue: false });
    expect(String(me.id)).toBe(sandbox.applicationId);
  });
});

describe("bodies already in Discord's format", () => {
  it("with installRestSend, a marked body is sent without discordeno's conversion, an unmarked one with it", async () => {
    const rest = manager({ patched: false });
    let conversions = 0;
    const convert = rest.changeToDiscordFormat;
    rest.changeToDiscordFormat = (obj) => {
      conversions++;
      return convert(obj);
    };
    installRestSend(rest, { timeoutMs: 15_000, logger: log("test") });
    const body = () => ({
      content: "box score",
      embeds: [{ title: "Q1", fields: [{ name: "Home", value: "12", inline: true }] }],
      components: [{
        type: 1,
        components: [{ type: 2, style: 1, label: "Drive", custom_id: "g:1:0:drive" }],
      }],
    });
    // deno-lint-ignore no-explicit-any
    await rest.sendMessage(sandbox.channelId, inDiscordsFormat(body()) as any);
    expect(conversions).toBe(0);
    // deno-lint-ignore no-explicit-any
    await rest.sendMessage(sandbox.channelId, body() as any);
    expect(conversions).toBeGreaterThan(10); // one per nested value
    const [marked, converted] = (await sandbox.client.messages(sandbox.channelId)).slice(-2);
    for (const key of ["content", "embeds", "components"] as const) {
      expect(marked?.[key]).toEqual(converted?.[key]);
    }
    expect(marked?.embeds[0]?.fields?.[0]).toMatchObject({ name: "Home", inline: true });
  });
});

describe("createSlots", () => {
  it("lets max holders in and hands each freed slot to the longest waiter", async () => {
    const slots = createSlots(2);
    expect(slots.acquire()).toBeUndefined();
    expect(slots.acquire()).toBeUndefined();
    const order: string[] = [];
    const third = slots.acquire()!.then(() => order.push("third"));
    const fourth = slots.acquire()!.then(() => order.push("fourth"));
    expect(slots.waiting()).toBe(2);
    slots.release();
    await third;
    expect(order).toEqual(["third"]);
    expect(slots.held()).toBe(2);
    slots.release();
    await fourth;
    slots.release();
    slots.release();
    expect(order).toEqual(["third", "fourth"]);
    expect(slots.held()).toBe(0);
    expect(slots.acquire()).toBeUndefined();
  });

  it("refuses a size below 1", () => {
    expect(() => createSlots(0)).toThrow(RangeError);
  });
});
