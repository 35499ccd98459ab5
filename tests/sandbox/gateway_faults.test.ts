import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, SandboxClientError, startSandbox } from "../../src/sandbox/mod.ts";
import { connectGateway, identify } from "./_gateway_client.ts";
import { api } from "./_rest.ts";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  await api(sandbox, "PUT", `/applications/${sandbox.applicationId}/commands`, [{
    name: "ping",
    description: "Ping",
  }]);
});
afterAll(async () => {
  await sandbox.close();
});

const alice = () => sandbox.users.find((u) => u.username === "alice")!;

async function resumeOn(url: string, sessionId: string, seq: number) {
  const client = await connectGateway(url);
  await client.next((p) => p.op === 10);
  client.send({ op: 6, d: { token: sandbox.token, session_id: sessionId, seq } });
  return client;
}

describe("privileged intents", () => {
  it("closes with 4014 when IDENTIFY asks for a privileged intent the app has not enabled", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 2, d: { token: sandbox.token, intents: 1 | (1 << 1), properties: {} } });
    expect(await client.closed).toEqual({ code: 4014, reason: "Disallowed intent(s)." });
  });

  it("accepts the same intent once it is enabled in the settings", async () => {
    await sandbox.client.updateSettings({ privilegedIntents: 1 << 1 });
    try {
      const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 1 | (1 << 1));
      expect(ready.t).toBe("READY");
      await client.close();
    } finally {
      await sandbox.client.updateSettings({ privilegedIntents: 0 });
    }
  });

  it("refuses settings that are not privileged intent bits", async () => {
    await expect(sandbox.client.updateSettings({ privilegedIntents: 1 })).rejects.toThrow(
      /privileged intent bits/,
    );
  });
});

describe("RECONNECT on demand", () => {
  it("sends op 7 and closes the connection with 4000 if the client stays", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const record = await sandbox.client.sendReconnect({ closeAfterMs: 200 });
    expect(await client.next((p) => p.op === 7)).toMatchObject({ op: 7, d: null });
    expect((await client.closed).code).toBe(4000);
    expect(record.applied[0]).toMatch(/sent RECONNECT \(op 7\)/);
  });

  it("records a client that resumes after op 7 as 'resumed', with the missed dispatches replayed", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const record = await sandbox.client.sendReconnect();
    await client.next((p) => p.op === 7);
    await client.close(4000);
    const missed = await sandbox.client.command({ userId: alice().id, name: "ping" });
    const again = await resumeOn(ready.d.resume_gateway_url, ready.d.session_id, ready.s!);
    expect(await again.next()).toMatchObject({ t: "INTERACTION_CREATE", d: { id: missed.id } });
    expect(await again.next()).toMatchObject({ t: "RESUMED" });
    const story = await sandbox.client.faultRecord(record.id);
    expect(story?.outcome).toBe("resumed");
    expect(story?.reactions.map((r) => r.what).join("\n")).toMatch(
      /client closed connection #\d+ with code 4000[\s\S]*replayed 1 missed dispatch/,
    );
    await again.close();
  });
});

describe("INVALID_SESSION on demand", () => {
  it("sends op 9 d:false and invalidates the session: a RESUME then gets op 9 too", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await sandbox.client.sendInvalidSession(false);
    expect(await client.next((p) => p.op === 9)).toMatchObject({ op: 9, d: false });
    await client.close(4000);
    const again = await resumeOn(sandbox.gatewayUrl, ready.d.session_id, ready.s!);
    expect(await again.next()).toMatchObject({ op: 9, d: false });
    await again.close();
  });

  it("sends op 9 d:true and keeps the session resumable", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await sandbox.client.sendInvalidSession(true);
    expect(await client.next((p) => p.op === 9)).toMatchObject({ op: 9, d: true });
    await client.close(4000);
    const again = await resumeOn(sandbox.gatewayUrl, ready.d.session_id, ready.s!);
    expect(await again.next()).toMatchObject({ t: "RESUMED" });
    await again.close();
  });
});

describe("dropped and zombie connections", () => {
  it("gateway_drop cuts the TCP connection with no close frame; the session stays resumable", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const record = await sandbox.client.dropGateway();
    const closed = await client.closed;
    // No close frame: browsers say 1006; Deno's WebSocket reports 0 (or 1005 mid-close).
    expect([0, 1005, 1006]).toContain(closed.code);
    expect(record.applied[0]).toMatch(/cut the TCP connection/);
    const again = await resumeOn(ready.d.resume_gateway_url, ready.d.session_id, ready.s!);
    expect(await again.next()).toMatchObject({ t: "RESUMED" });
    await again.close();
  });

  it("gateway_drop with a code closes with that code instead", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await sandbox.client.dropGateway({ code: 4009 });
    expect((await client.closed).code).toBe(4009);
  });

  for (const code of [4000, 4009]) {
    it(`keeps the session resumable after the server closes with ${code}`, async () => {
      const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
      await sandbox.client.dropGateway({ code });
      expect((await client.closed).code).toBe(code);
      const again = await resumeOn(ready.d.resume_gateway_url, ready.d.session_id, ready.s!);
      expect(await again.next()).toMatchObject({ t: "RESUMED" });
      await again.close();
    });
  }

  it("a zombie connection answers no heartbeat and delivers no dispatch, then is cut", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const record = await sandbox.client.zombieGateway({ severAfterMs: 2000 });
    client.send({ op: 1, d: 1 });
    await sandbox.client.command({ userId: alice().id, name: "ping" });
    await expect(client.next(() => true, 300)).rejects.toThrow(/No matching gateway payload/);
    const closed = await client.closed;
    expect([0, 1005, 1006]).toContain(closed.code);
    const story = await sandbox.client.faultRecord(record.id);
    expect(story?.applied.join("\n")).toMatch(/went silent both ways[\s\S]*cut the zombie/);
    expect(story?.active).toBe(false);
  });

  it("refuses a gateway fault when no bot session is connected (409)", async () => {
    const lonely = await startSandbox();
    try {
      const error = await lonely.client.dropGateway().catch((e) => e);
      expect(error).toBeInstanceOf(SandboxClientError);
      expect((error as SandboxClientError).status).toBe(409);
    } finally {
      await lonely.close();
    }
  });

  it("refuses an unknown fault kind and unknown fields (400)", async () => {
    const unknownKind = await sandbox.client.fault({ kind: "meteor" as never }).catch((e) => e);
    expect((unknownKind as SandboxClientError).status).toBe(400);
    const unknownField = await sandbox.client.fault({ kind: "latency", color: 1 } as never).catch((
      e,
    ) => e);
    expect((unknownField as SandboxClientError).message).toMatch(/Unknown field\(s\) "color"/);
  });
});

describe("competing sockets", () => {
  it("counts a second live session on the same shard as competing sockets", async () => {
    const before = (await sandbox.client.state()).gateway;
    const first = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const second = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const after = (await sandbox.client.state()).gateway;
    expect(after.competingSockets).toBe(before.competingSockets + 1);
    expect(after.maxSessionsPerShard).toBeGreaterThanOrEqual(2);
    await first.client.close();
    await second.client.close();
  });

  it("does not count a resume on a new connection after the old one closed", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await client.close(4000);
    const before = (await sandbox.client.state()).gateway.competingSockets;
    const again = await resumeOn(sandbox.gatewayUrl, ready.d.session_id, ready.s!);
    await again.next((p) => p.t === "RESUMED");
    expect((await sandbox.client.state()).gateway.competingSockets).toBe(before);
    await again.close();
  });
});

describe("token revocation", () => {
  it("closes live connections with 4004, answers REST with 401 and IDENTIFY with 4004, until it ends", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const record = await sandbox.client.revokeToken(60_000);
    try {
      expect((await client.closed).code).toBe(4004);
      expect((await api(sandbox, "GET", "/users/@me")).status).toBe(401);
      const retry = await connectGateway(sandbox.gatewayUrl);
      retry.send({ op: 2, d: { token: sandbox.token, intents: 0, properties: {} } });
      expect((await retry.closed).code).toBe(4004);
    } finally {
      await sandbox.client.endFault(record.id);
    }
    expect((await api(sandbox, "GET", "/users/@me")).status).toBe(200);
    const story = await sandbox.client.faultRecord(record.id);
    expect(story?.outcome).toBe("reconnected 1 time(s) after 4004");
  });
});

describe("members", () => {
  it("dispatches GUILD_MEMBER_ADD for a new player to sessions with GUILD_MEMBERS", async () => {
    await sandbox.client.updateSettings({ privilegedIntents: 1 << 1 });
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 1 << 1);
    try {
      await sandbox.client.startPlayers(1);
      await sandbox.client.stopPlayers();
      const added = await client.next((p) => p.t === "GUILD_MEMBER_ADD");
      expect(added.d).toMatchObject({
        guild_id: sandbox.guildId,
        user: { username: "player1", global_name: "Player 1" },
      });
      const state = await sandbox.client.state();
      expect(state.users.map((u) => u.username)).toContain("player1");
    } finally {
      await client.close();
      await sandbox.client.updateSettings({ privilegedIntents: 0 });
    }
  });
});
