import { describe, expect, it } from "vitest";
import { createUserRateLimiter } from "../../src/bot/user_rate_limit.ts";
import { fakeTime } from "../_helpers/fake_time.ts";

describe("per-user rate limit", () => {
  it("allows a burst, then a steady rate, per user", () => {
    const time = fakeTime();
    const limiter = createUserRateLimiter({ clock: time, burst: 3, perSecond: 2 });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
    const wait = limiter.take("a");
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(500);
    expect(limiter.take("b")).toBe(0); // another user is not affected
    time.advance(500);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
  });

  it("forgets idle users", () => {
    const time = fakeTime();
    const limiter = createUserRateLimiter({ clock: time, burst: 2, perSecond: 1 });
    for (let i = 0; i < 100; i++) limiter.take(`u${i}`);
    time.advance(120_000);
    limiter.take("x");
    expect(limiter.size()).toBe(1);
  });
});
