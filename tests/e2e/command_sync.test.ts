/**
 * Restarts do not re-register unchanged commands (Discord allows 5 overwrites per 20 s; quick
 * restarts used to wait for that limit), but a change made elsewhere is put right on start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { startBlitzAgainst, stopBlitz } from "../_helpers/fault_rig.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("command registration across restarts", () => {
  let sandbox: Sandbox;
  const overwrites: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      players: 0,
      log: (_level, message) => {
        if (message.endsWith("commands overwritten")) overwrites.push(message);
      },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const listNames = async () => {
    const response = await fetch(
      `${sandbox.restUrl}/v10/applications/${sandbox.applicationId}/commands`,
      {
        headers: { authorization: `Bot ${sandbox.token}` },
      },
    );
    return ((await response.json()) as Array<{ name: string }>).map((c) => c.name).sort();
  };

  it("registers on first start, skips an unchanged set, and repairs a set changed elsewhere", async () => {
    const dataDir = await tempDir();

    const first = await startBlitzAgainst(sandbox, dataDir);
    expect(await stopBlitz(first.proc)).toBe(0);
    expect(overwrites).toHaveLength(1);
    expect(await listNames()).toEqual(["admin", "blitz", "ping"]);

    const second = await startBlitzAgainst(sandbox, dataDir);
    expect(await stopBlitz(second.proc)).toBe(0);
    expect(overwrites).toHaveLength(1);
    expect(second.proc.stderr()).toMatch(
      /Synced 3 commands globally \(unchanged since the last start/,
    );

    // Someone registers a different set with the same application (another deployment, a script).
    const put = await fetch(
      `${sandbox.restUrl}/v10/applications/${sandbox.applicationId}/commands`,
      {
        method: "PUT",
        headers: { authorization: `Bot ${sandbox.token}`, "content-type": "application/json" },
        body: JSON.stringify([{ name: "ping", description: "someone else's ping", type: 1 }]),
      },
    );
    expect(put.status).toBe(200);
    await put.body?.cancel();
    expect(overwrites).toHaveLength(2);

    const third = await startBlitzAgainst(sandbox, dataDir);
    expect(await stopBlitz(third.proc)).toBe(0);
    expect(overwrites).toHaveLength(3);
    expect(await listNames()).toEqual(["admin", "blitz", "ping"]);
    expect(third.proc.stderr()).toMatch(/Synced 3 commands globally/);
    expect(third.proc.stderr()).not.toMatch(/unchanged since the last start/);
  });
});
