import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { boardButtons, pickOnBoard, readMessage } from "../_helpers/game_driver.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("restore through the running instance, with a game in progress", () => {
  let dataDir: string;
  let env: ReturnType<typeof sandboxRunEnv>;
  let blitz: BlitzProcess;
  let client: SandboxClient;
  let token: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    env = sandboxRunEnv(dataDir);
    blitz = spawnBlitz({
      args: ["run"],
      env: { ...env, SANDBOX_PLAYERS: "0", USER_RATE_BURST: "100" },
    });
    await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
    client = createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`);
    token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
  });
  afterAll(async () => {
    blitz.kill("SIGTERM");
    await blitz.exited;
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${env.httpPort}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };

  it("brings the game back to the backup's possession, and the board keeps working", async () => {
    const state = await client.state();
    const alice = state.users.find((u) => u.username === "alice")!;
    const channelId = state.channels.find((c) => c.type === 0)!.id;
    const started = await client.waitForResponse(
      (await client.command({ userId: alice.id, name: "blitz", subcommand: "play" })).id,
    );
    const boardId = started.original!.id;
    let board = await readMessage(client, channelId, boardId);
    await pickOnBoard(client, board, alice);
    board = await readMessage(client, channelId, boardId);
    await pickOnBoard(client, board, alice); // two possessions played

    const backup = await api("POST", "/backups", { label: "mid-game" });
    expect(backup.status).toBe(201);
    board = await readMessage(client, channelId, boardId);
    await pickOnBoard(client, board, alice);
    board = await readMessage(client, channelId, boardId);
    await pickOnBoard(client, board, alice); // four possessions played

    const restored = await api("POST", "/restore", { file: backup.json.file, confirm: true });
    expect(restored.status).toBe(200);
    const db = new DatabaseSync(join(dataDir, "blitz.db"), { readOnly: true });
    const row = db.prepare("SELECT picks FROM games").get() as { picks: string };
    db.close();
    expect(row.picks).toHaveLength(2);

    // The stale board (possession 5) is refused; the game continues from possession 3.
    const stale = await client.waitForResponse(
      (await client.click({
        userId: alice.id,
        messageId: boardId,
        customId: boardButtons(board).offense[0]!,
        staleClient: true,
      })).id,
    );
    expect(stale.callback?.data?.content).toMatch(/earlier possession/);
    const redrawn = await client.waitForMessage(
      channelId,
      (m) => m.id === boardId && boardButtons(m).offense[0]?.split(":")[2] === "2",
      10_000,
    );
    expect(redrawn.embeds[0].description).toMatch(/Possession 3 of 16/);
    await pickOnBoard(client, redrawn, alice); // the redrawn board works
    const games = await client.waitForResponse(
      (await client.command({ userId: alice.id, name: "blitz", subcommand: "games" })).id,
    );
    expect(JSON.stringify(games.callback?.data)).toMatch(/possession 4/);
  });
});

describe("backups and restores through the admin API are audited", () => {
  it("lands the dashboard's backup and restore in the audit log", async () => {
    const dataDir = await tempDir();
    const env = sandboxRunEnv(dataDir);
    const blitz = spawnBlitz({ args: ["run"], env });
    try {
      await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
      const token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`http://127.0.0.1:${env.httpPort}/api${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return await r.json();
      };
      const byDashboard = async () =>
        ((await call("GET", "/audit?limit=20")).entries as {
          actor: { name: string };
          action: string;
          outcome: string;
        }[])
          .filter((e) => e.actor.name === "dashboard").map((e) => `${e.action}:${e.outcome}`);
      const created = await call("POST", "/backups", { by: "dashboard" });
      expect(await byDashboard()).toContain("backup:ok");
      // The restore brings back the audit log as it was in the backup, then records itself.
      await call("POST", "/restore", { file: created.file, confirm: true, by: "dashboard" });
      expect(await byDashboard()).toContain("restore:ok");
    } finally {
      blitz.kill("SIGTERM");
      await blitz.exited;
    }
  });
});
