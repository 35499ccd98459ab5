/**
 * The real `blitz run` against a slow sandbox: a burst of interactions is answered through at
 * most DISCORD_REST_MAX_IN_FLIGHT requests at once (the rest wait their turn, not a connection
 * each), every one within Discord's 3 s, and /metrics shows the requests waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { type BlitzUnderTest, startBlitzAgainst, stopBlitz } from "../_helpers/fault_rig.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const MAX_IN_FLIGHT = 3;

/** A gauge's value in a Prometheus text page. */
function gauge(page: string, name: string): number {
  const line = page.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(" ")[1]);
}

describe("Blitz's REST requests in flight", () => {
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest;

  beforeAll(async () => {
    sandbox = await startSandbox();
    blitz = await startBlitzAgainst(sandbox, await tempDir(), {
      env: { DISCORD_REST_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) },
    });
  });
  afterAll(async () => {
    await stopBlitz(blitz.proc);
    await sandbox.close();
  });

  it("answers a burst through at most DISCORD_REST_MAX_IN_FLIGHT requests, and /metrics shows the queue", async () => {
    const fault = await sandbox.client.latency({
      route: "/interactions",
      latencyMs: 250,
      durationMs: 10_000,
    });
    const alice = sandbox.users.find((u) => u.username === "alice")!;
    const handles = await Promise.all(
      Array.from({ length: 12 }, () => sandbox.client.command({ userId: alice.id, name: "ping" })),
    );
    const answers = Promise.all(handles.map((h) => sandbox.client.waitForResponse(h.id, 10_000)));
    let done = false;
    void answers.finally(() => (done = true));
    let mostWaiting = 0;
    let mostInFlight = 0;
    for (let i = 0; i < 100 && !done; i++) {
      const page = await (await fetch(`${blitz.httpUrl}/metrics`)).text();
      mostWaiting = Math.max(mostWaiting, gauge(page, "blitz_discord_requests_waiting"));
      mostInFlight = Math.max(mostInFlight, gauge(page, "blitz_discord_requests_in_flight"));
      await new Promise((r) => setTimeout(r, 40));
    }
    const records = await answers;
    await sandbox.client.endFault(fault.id);

    expect(records.map((r) => r.status)).toEqual(Array(12).fill("answered"));
    // Each answer waited its turn: 12 callbacks of 250 ms, 3 at a time, all within Discord's 3 s.
    expect(Math.max(...records.map((r) => r.latencyMs ?? Infinity))).toBeLessThan(3000);
    const rest = (await sandbox.client.state()).rest;
    expect(rest.peakInFlight).toBe(MAX_IN_FLIGHT);
    expect(mostInFlight).toBe(MAX_IN_FLIGHT);
    expect(mostWaiting).toBeGreaterThan(0);
    const after = await (await fetch(`${blitz.httpUrl}/metrics`)).text();
    expect(gauge(after, "blitz_discord_requests_in_flight")).toBe(0);
    expect(gauge(after, "blitz_discord_requests_waiting")).toBe(0);
  });
});
