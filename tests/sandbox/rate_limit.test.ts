import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { bucketHash, createRateLimiter } from "../../src/sandbox/rate_limit.ts";
import { api } from "./_rest.ts";

describe("rate limits over HTTP", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("sends Discord's rate-limit headers on a REST response", async () => {
    const result = await api(sandbox, "GET", "/users/@me");
    const h = result.headers;
    expect(Number(h.get("x-ratelimit-limit"))).toBeGreaterThan(0);
    expect(Number(h.get("x-ratelimit-remaining"))).toBe(Number(h.get("x-ratelimit-limit")) - 1);
    expect(h.get("x-ratelimit-reset-after")).toMatch(/^\d+\.\d{3}$/);
    expect(Number(h.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(h.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{16}$/);
  });

  it("answers 429 with Retry-After once a channel's message bucket (5 per 5 s) is spent", async () => {
    const path = `/channels/${sandbox.channelId}/messages`;
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ok = await api(sandbox, "POST", path, { content: `message ${i}` });
      expect(ok.status).toBe(200);
      remaining.push(ok.headers.get("x-ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    const limited = await api(sandbox, "POST", path, { content: "one too many" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(limited.body).toMatchObject({ message: "You are being rate limited.", global: false });
    expect(limited.body.retry_after).toBeGreaterThan(0);
    expect(limited.body.retry_after).toBeLessThanOrEqual(5);
    // Other routes keep their own buckets.
    expect((await api(sandbox, "GET", `/channels/${sandbox.channelId}/messages`)).status).toBe(200);
  });
});

describe("rate limiter", () => {
  const rule = { limit: 2, windowMs: 1000 };
  const request = {
    identity: "bot",
    route: "POST /channels/{channel.id}/messages",
    resource: "1",
    rule,
    global: true,
  };

  it("refills a bucket when its window ends", () => {
    let now = 10_000;
    const limiter = createRateLimiter({ now: () => now });
    expect(limiter.consume(request).allowed).toBe(true);
    expect(limiter.consume(request).allowed).toBe(true);
    const refused = limiter.consume(request);
    expect(refused).toMatchObject({ allowed: false, retryAfter: 1 });
    now += 1000;
    expect(limiter.consume(request).allowed).toBe(true);
  });

  it("counts each top-level resource separately under one bucket id", () => {
    const limiter = createRateLimiter({ now: () => 0 });
    limiter.consume(request);
    limiter.consume(request);
    const other = limiter.consume({ ...request, resource: "2" });
    expect(other.allowed).toBe(true);
    expect(other.headers["X-RateLimit-Bucket"]).toBe(bucketHash(request.route));
  });

  it("applies a global limit when configured, except to routes outside it", () => {
    const limiter = createRateLimiter({ now: () => 0, globalPerSecond: 1 });
    const wide = { ...request, rule: { limit: 100, windowMs: 1000 } };
    expect(limiter.consume(wide).allowed).toBe(true);
    const refused = limiter.consume({ ...wide, resource: "other" });
    expect(refused).toMatchObject({ allowed: false, global: true });
    expect(refused.headers["X-RateLimit-Global"]).toBe("true");
    expect(limiter.consume({ ...wide, resource: "other", global: false }).allowed).toBe(true);
  });
});
