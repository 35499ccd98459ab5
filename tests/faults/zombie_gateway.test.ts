/**
 * A zombie gateway connection (silent both ways: no heartbeat ACK, no dispatch, no close
 * handshake), 8 times in a row under light load, with a 1.5 s heartbeat: each is detected
 * within two heartbeat intervals and replaced by a RESUME on a new connection, with one
 * session and one live socket throughout. The sandbox cuts the dead TCP connection only after
 * three intervals, so a detection that waited for the cut would fail the bound.
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  type BlitzUnderTest,
  eventually,
  percentile,
  reportFigures,
  sleep,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { createPlayers } from "../_helpers/fault_players.ts";

/** Short heartbeats so a zombie is noticed in seconds (discordeno needs more than ~1.1 s: D9). */
const HEARTBEAT_MS = 1500;
const ZOMBIES = 8;
/**
 * Allowance for timers firing late on a busy 2-core machine and for the new connection's
 * handshake. Still far below the sandbox's cut at three intervals (4.5 s).
 */
const TIMER_SLACK_MS = 400;

describe("zombie gateway connection", () => {
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest | undefined;
  afterAll(async () => {
    if (blitz) await stopBlitz(blitz.proc);
    await sandbox?.close();
  });

  it("detects each zombie within two heartbeat intervals and replaces it by a RESUME", async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: HEARTBEAT_MS });
    const dataDir = await tempDir("blitz-zombie-");
    blitz = await startBlitzAgainst(sandbox, dataDir);
    const players = createPlayers({
      sandbox,
      dbPath: join(dataDir, "blitz.db"),
      soloSeats: 4,
      challengePairs: 1,
      thinkMs: [200, 600],
      seed: 11,
      giveUpMs: 8000,
    });
    const before = (await sandbox.client.state()).gateway;
    const detectedMs: number[] = [];
    const resumedMs: number[] = [];
    const outcomes: string[] = [];
    const load = players.run(ZOMBIES * 9000);

    for (let i = 0; i < ZOMBIES; i++) {
      // Land at a different point of the heartbeat cycle each time.
      await sleep(700 + (i * 397) % HEARTBEAT_MS);
      const fault = await sandbox.client.zombieGateway({ severAfterMs: 3 * HEARTBEAT_MS });
      const record = await eventually(
        async () => {
          const r = await sandbox.client.faultRecord(fault.id);
          return r && !r.active && r.outcome ? r : undefined;
        },
        `zombie ${i + 1} to be replaced and cut`,
        20_000,
      );
      outcomes.push(record.outcome!);
      const opened = record.reactions.find((r) => /client opened connection/.test(r.what));
      const resumed = record.reactions.find((r) => /RESUME of session/.test(r.what));
      detectedMs.push(opened?.afterMs ?? Infinity);
      resumedMs.push(resumed?.afterMs ?? Infinity);
    }
    players.stop();
    await load;
    await players.settle(8000);
    const after = (await sandbox.client.state()).gateway;
    const ping = await sandbox.client.command({ userId: sandbox.users[0]!.id, name: "ping" });
    const answer = await sandbox.client.waitForResponse(ping.id, 10_000);
    const stats = players.stats();
    players.close();
    const logged = blitz.proc.stderr().match(/replacing the zombie connection/g)?.length ?? 0;

    reportFigures("zombie gateway (no heartbeat ACK)", {
      heartbeatMs: HEARTBEAT_MS,
      zombies: ZOMBIES,
      detectedMsP50: percentile(detectedMs, 50),
      detectedMsMax: Math.max(...detectedMs),
      boundMs: 2 * HEARTBEAT_MS,
      resumedMsMax: Math.max(...resumedMs),
      outcomes: [...new Set(outcomes)],
      identifies: after.identifies - before.identifies,
      competingSockets: after.competingSockets,
      maxSessionsPerShard: after.maxSessionsPerShard,
      zombieLogLines: logged,
      interactions: stats.sent,
      answered: stats.answered,
      answeredLateOrLost: stats.sent - stats.answered,
    });

    expect(outcomes).toEqual(Array(ZOMBIES).fill("resumed"));
    for (const ms of detectedMs) expect(ms).toBeLessThanOrEqual(2 * HEARTBEAT_MS + TIMER_SLACK_MS);
    expect(after.identifies).toBe(before.identifies);
    expect(after.competingSockets).toBe(0);
    expect(after.maxSessionsPerShard).toBe(1);
    expect(logged).toBe(ZOMBIES);
    expect(answer.status).toBe("answered");
  }, 180_000);
});
