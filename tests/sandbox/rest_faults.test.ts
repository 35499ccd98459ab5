import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { api } from "./_rest.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the global rate limit", () => {
  it("is on by default at Discord's 50 requests per second, with a global 429", async () => {
    const own = await startSandbox();
    try {
      // Four routes, so no route bucket (50 per second each) runs out before the global one.
      const paths = ["/users/@me", "/applications/@me", "/gateway/bot", `/guilds/${own.guildId}`];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => api(own, "GET", paths[i % paths.length]!)),
      );
      const limited = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200)).toHaveLength(50);
      expect(limited).toHaveLength(10);
      const first = limited[0]!;
      expect(first.body).toMatchObject({ message: "You are being rate limited.", global: true });
      expect(first.headers.get("x-ratelimit-global")).toBe("true");
      expect(first.headers.get("x-ratelimit-scope")).toBe("global");
      expect(Number(first.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Discord's global 429 carries no per-route headers.
      expect(first.headers.get("x-ratelimit-reset-after")).toBeNull();
      // Interaction endpoints are not bound to the global limit.
      const callback = await api(own, "POST", "/interactions/1/x/callback", { type: 1 }, null);
      expect(callback.status).toBe(404);
    } finally {
      await own.close();
    }
  });

  it("can be set (and switched off with 0) through the settings", async () => {
    const own = await startSandbox({ settings: { globalRateLimitPerSecond: 3 } });
    try {
      const paths = ["/users/@me", "/applications/@me", "/gateway/bot", "/users/@me"];
      const first = await Promise.all(paths.map((p) => api(own, "GET", p)));
      // Sent at once, they may arrive in any order: three pass, the fourth is refused.
      expect(first.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
      await own.client.updateSettings({ globalRateLimitPerSecond: 0 });
      const more = await Promise.all(paths.map((p) => api(own, "GET", p)));
      expect(more.every((r) => r.status === 200)).toBe(true);
    } finally {
      await own.close();
    }
  });
});

describe("rate_limit faults", () => {
  it("scope user: 429 with Retry-After, retry_after and a matching X-RateLimit-Reset-After", async () => {
    const fault = await sandbox.client.rateLimit({
      route: "GET /users/@me",
      durationMs: 2000,
      retryAfterMs: 1500,
    });
    try {
      const limited = await api(sandbox, "GET", "/users/@me");
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        message: "You are being rate limited.",
        retry_after: 1.5,
        global: false,
      });
      expect(limited.headers.get("retry-after")).toBe("2");
      expect(limited.headers.get("x-ratelimit-reset-after")).toBe("1.500");
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
      expect(limited.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{16}$/);
      // Other routes are untouched.
      expect((await api(sandbox, "GET", "/applications/@me")).status).toBe(200);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("scope shared: Remaining is not 0 and Reset-After is shorter than Retry-After, as Discord documents", async () => {
    const fault = await sandbox.client.rateLimit({
      route: "/channels",
      scope: "shared",
      durationMs: 3000,
      resetAfterMs: 100,
    });
    try {
      const limited = await api(sandbox, "GET", `/channels/${sandbox.channelId}`);
      expect(limited.status).toBe(429);
      expect(limited.body.message).toBe("The resource is being rate limited.");
      expect(limited.headers.get("x-ratelimit-scope")).toBe("shared");
      expect(Number(limited.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);
      expect(limited.headers.get("x-ratelimit-reset-after")).toBe("0.100");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(2);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("scope global: spares the interaction endpoints, as Discord's global limit does", async () => {
    const fault = await sandbox.client.rateLimit({ scope: "global", durationMs: 2000 });
    try {
      const limited = await api(sandbox, "GET", "/users/@me");
      expect(limited.status).toBe(429);
      expect(limited.body.global).toBe(true);
      expect(limited.headers.get("x-ratelimit-reset-after")).toBeNull();
      const callback = await api(sandbox, "POST", "/interactions/1/x/callback", { type: 1 }, null);
      expect(callback.status).toBe(404);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("records a request sent before its Retry-After as early, and one after it as waited", async () => {
    const before = (await sandbox.client.state()).rest.earlyRequests;
    const fault = await sandbox.client.rateLimit({
      route: "GET /applications/@me",
      durationMs: 1000,
      retryAfterMs: 1000,
    });
    expect((await api(sandbox, "GET", "/applications/@me")).status).toBe(429);
    await sleep(60);
    expect((await api(sandbox, "GET", "/applications/@me")).status).toBe(429);
    const state = (await sandbox.client.state()).rest;
    expect(state.earlyRequests).toBe(before + 1);
    expect(state.recentEarly.at(-1)).toMatchObject({ method: "GET", path: "/applications/@me" });
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.outcome).toBe("retried early");
    expect(story?.reactions[0]?.what).toMatch(/EARLY by \d+ ms/);
    await sandbox.client.endFault(fault.id);

    const patient = await sandbox.client.rateLimit({
      route: "GET /applications/@me",
      durationMs: 400,
      retryAfterMs: 400,
    });
    expect((await api(sandbox, "GET", "/applications/@me")).status).toBe(429);
    await sleep(450);
    expect((await api(sandbox, "GET", "/applications/@me")).status).toBe(200);
    const waited = await sandbox.client.faultRecord(patient.id);
    expect(waited?.outcome).toBe("retried after Retry-After");
    expect((await sandbox.client.state()).rest.earlyRequests).toBe(before + 1);
  });

  it("counts a 429 from the sandbox's own buckets in the same watch", async () => {
    const own = await startSandbox();
    try {
      const path = `/channels/${own.channelId}/messages`;
      for (let i = 0; i < 5; i++) await api(own, "POST", path, { content: `m${i}` });
      expect((await api(own, "POST", path, { content: "too many" })).status).toBe(429);
      await sleep(50);
      expect((await api(own, "POST", path, { content: "still too many" })).status).toBe(429);
      const state = await own.client.state();
      expect(state.rest.rateLimited).toBe(2);
      expect(state.rest.earlyRequests).toBe(1);
    } finally {
      await own.close();
    }
  });
});

describe("the invalid-request limit", () => {
  it("counts 401, 403 and 429 per IP and exposes the count", async () => {
    const own = await startSandbox();
    try {
      await api(own, "GET", "/users/@me", undefined, "wrong");
      await api(own, "GET", "/users/@me", undefined, "wrong");
      await api(own, "GET", "/users/@me"); // 200: not counted
      const [counter] = (await own.client.state()).rest.invalidRequests;
      expect(counter).toMatchObject({ ip: "127.0.0.1", count: 2, bannedUntil: null });
    } finally {
      await own.close();
    }
  });

  it("does not count a 429 of scope shared", async () => {
    const own = await startSandbox();
    try {
      await own.client.rateLimit({ scope: "shared", durationMs: 1000 });
      expect((await api(own, "GET", "/users/@me")).status).toBe(429);
      expect((await own.client.state()).rest.invalidRequests).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it("bans the IP past the limit with Cloudflare's HTML 429, then lets it back in", async () => {
    const own = await startSandbox({
      settings: { invalidRequestLimit: 3, invalidRequestBanMs: 1800 },
    });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await api(own, "GET", "/users/@me", undefined, "wrong")).status).toBe(401);
      }
      const response = await fetch(`${own.restUrl}/v10/users/@me`, {
        headers: { authorization: `Bot ${own.token}` },
      });
      const text = await response.text();
      expect(response.status).toBe(429);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(text).toMatch(/Error 1015/);
      expect(() => JSON.parse(text)).toThrow();
      // Whole seconds, rounded up: 1.8 s of ban left at most.
      expect(response.headers.get("retry-after")).toBe("2");
      expect(response.headers.get("x-ratelimit-limit")).toBeNull();
      expect(response.headers.get("via")).toBeNull();
      const state = await own.client.state();
      expect(state.rest.invalidRequests[0]?.bannedUntil).toBeGreaterThan(Date.now());
      expect(state.rest.bannedResponses).toBe(1);
      await sleep(1850);
      expect((await api(own, "GET", "/users/@me")).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe("server errors, latency and stalls", () => {
  it("server_error answers 500 with Discord's JSON, 502 with an HTML page, and records retries", async () => {
    const fault = await sandbox.client.serverErrors({
      route: "GET /gateway/bot",
      durationMs: 5000,
    });
    const first = await api(sandbox, "GET", "/gateway/bot");
    expect(first.status).toBe(500);
    expect(first.body).toEqual({ message: "500: Internal Server Error", code: 0 });
    await api(sandbox, "GET", "/gateway/bot");
    await sandbox.client.endFault(fault.id);
    const story = await sandbox.client.faultRecord(fault.id);
    expect(story?.counts).toMatchObject({ responses5xx: 2, retried: 1 });
    expect(story?.outcome).toBe("retried");

    const bad = await sandbox.client.serverErrors({
      route: "GET /gateway/bot",
      status: 502,
      durationMs: 5000,
    });
    const response = await fetch(`${sandbox.restUrl}/v10/gateway/bot`, {
      headers: { authorization: `Bot ${sandbox.token}` },
    });
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/502 Bad Gateway/);
    await sandbox.client.endFault(bad.id);
  });

  it("server_error with fraction 0 fails nothing", async () => {
    const fault = await sandbox.client.serverErrors({ fraction: 0, durationMs: 5000 });
    try {
      expect((await api(sandbox, "GET", "/users/@me")).status).toBe(200);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("latency delays matching requests", async () => {
    const fault = await sandbox.client.latency({
      route: "GET /users/@me",
      latencyMs: 200,
      durationMs: 5000,
    });
    try {
      const started = Date.now();
      expect((await api(sandbox, "GET", "/users/@me")).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("stall leaves a request unanswered and records when the client gives up", async () => {
    const fault = await sandbox.client.stall({ route: "GET /users/@me", durationMs: 10_000 });
    try {
      const error = await fetch(`${sandbox.restUrl}/v10/users/@me`, {
        headers: { authorization: `Bot ${sandbox.token}` },
        signal: AbortSignal.timeout(200),
      }).catch((e) => e);
      expect((error as Error).name).toBe("TimeoutError");
      let story = await sandbox.client.faultRecord(fault.id);
      for (let i = 0; i < 50 && !story?.counts.abandoned; i++) {
        await sleep(20);
        story = await sandbox.client.faultRecord(fault.id);
      }
      expect(story?.reactions[0]?.what).toMatch(/GET \/users\/@me: client gave up after \d+ ms/);
    } finally {
      await sandbox.client.endFault(fault.id);
    }
  });

  it("answers 504 to a stalled request when the stall ends", async () => {
    const fault = await sandbox.client.stall({ route: "GET /users/@me", durationMs: 300 });
    const response = await fetch(`${sandbox.restUrl}/v10/users/@me`, {
      headers: { authorization: `Bot ${sandbox.token}` },
    });
    await response.body?.cancel();
    expect(response.status).toBe(504);
    expect((await sandbox.client.faultRecord(fault.id))?.outcome).toBe("waited until the end");
  });
});
