import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { connectGateway, identify } from "./_gateway_client.ts";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

async function registerPing(): Promise<void> {
  const response = await fetch(
    `${sandbox.restUrl}/v10/applications/${sandbox.applicationId}/commands`,
    {
      method: "PUT",
      headers: { authorization: `Bot ${sandbox.token}`, "content-type": "application/json" },
      body: JSON.stringify([{ name: "ping", description: "Ping" }]),
    },
  );
  expect(response.status).toBe(200);
}

const alice = () => sandbox.users.find((u) => u.username === "alice")!;

describe("gateway connection", () => {
  it("sends HELLO with Discord's heartbeat interval on connect", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    const hello = await client.next();
    expect(hello).toMatchObject({ op: 10, s: null, t: null, d: { heartbeat_interval: 41250 } });
    await client.close();
  });

  it("answers a heartbeat with HEARTBEAT_ACK", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    await client.next((p) => p.op === 10);
    client.send({ op: 1, d: null });
    expect((await client.next()).op).toBe(11);
    await client.close();
  });

  it("closes with 4012 for an API version other than 10", async () => {
    const client = await connectGateway(sandbox.gatewayUrl, "?v=9&encoding=json");
    expect((await client.closed).code).toBe(4012);
  });

  it("closes with 4002 for an encoding other than json", async () => {
    const client = await connectGateway(sandbox.gatewayUrl, "?v=10&encoding=etf");
    expect((await client.closed).code).toBe(4002);
  });

  it("closes with 4004 when IDENTIFY carries a bad token", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 2, d: { token: "not-the-token", intents: 0, properties: {} } });
    expect(await client.closed).toEqual({ code: 4004, reason: "Authentication failed." });
  });

  it("closes with 4003 when a payload comes before IDENTIFY", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 3, d: { since: null, activities: [], status: "online", afk: false } });
    expect(await client.closed).toEqual({ code: 4003, reason: "Not authenticated." });
  });

  it("closes with 4002 on a payload that is not JSON", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.sendRaw("{not json");
    expect((await client.closed).code).toBe(4002);
  });

  it("closes with 4001 on an unknown opcode", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 99, d: null });
    expect((await client.closed).code).toBe(4001);
  });

  it("closes with 4005 on a second IDENTIFY", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token);
    client.send({ op: 2, d: { token: sandbox.token, intents: 1, properties: {} } });
    expect((await client.closed).code).toBe(4005);
  });

  it("closes with 4013 on undefined intent bits", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 2, d: { token: sandbox.token, intents: 1 << 30, properties: {} } });
    expect((await client.closed).code).toBe(4013);
  });
});

describe("identify and dispatch", () => {
  it("dispatches READY with session_id and resume_gateway_url, then GUILD_CREATE", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, `Bot ${sandbox.token}`, 1);
    expect(ready).toMatchObject({ op: 0, t: "READY", s: 1 });
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: sandbox.applicationId, bot: true },
      guilds: [{ id: sandbox.guildId, unavailable: true }],
      resume_gateway_url: sandbox.gatewayUrl,
      application: { id: sandbox.applicationId, flags: 0 },
    });
    expect(ready.d.session_id).toMatch(/^[0-9a-f]{32}$/);
    const guildCreate = await client.next();
    expect(guildCreate).toMatchObject({ op: 0, t: "GUILD_CREATE", s: 2 });
    expect(guildCreate.d).toMatchObject({
      id: sandbox.guildId,
      name: "Blitz Sandbox",
      unavailable: false,
    });
    expect(guildCreate.d.channels).toContainEqual(
      expect.objectContaining({ id: sandbox.channelId, name: "blitz", type: 0 }),
    );
    expect(guildCreate.d.roles.map((r: { name: string }) => r.name)).toContain("Admin");
    expect(guildCreate.d.members).toContainEqual(
      expect.objectContaining({ user: expect.objectContaining({ id: sandbox.applicationId }) }),
    );
    await client.close();
  });

  it("echoes the shard from IDENTIFY in READY", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    client.send({ op: 2, d: { token: sandbox.token, intents: 0, shard: [0, 1], properties: {} } });
    const ready = await client.next((p) => p.t === "READY");
    expect(ready.d.shard).toEqual([0, 1]);
    await client.close();
  });

  it("numbers dispatches with increasing sequence numbers, without GUILD_CREATE when GUILDS is not requested", async () => {
    await registerPing();
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    expect(ready.s).toBe(1);
    await sandbox.client.command({ userId: alice().id, name: "ping" });
    await sandbox.client.command({ userId: alice().id, name: "ping" });
    const first = await client.next();
    const second = await client.next();
    expect([first.t, first.s]).toEqual(["INTERACTION_CREATE", 2]);
    expect([second.t, second.s]).toEqual(["INTERACTION_CREATE", 3]);
    await client.close();
  });
});

describe("message events", () => {
  it("dispatches MESSAGE_CREATE and MESSAGE_UPDATE to sessions with the GUILD_MESSAGES intent", async () => {
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 1 << 9);
    const headers = { authorization: `Bot ${sandbox.token}`, "content-type": "application/json" };
    const created =
      await (await fetch(`${sandbox.restUrl}/v10/channels/${sandbox.channelId}/messages`, {
        method: "POST",
        headers,
        body: JSON.stringify({ content: "Game on" }),
      })).json();
    expect(await client.next()).toMatchObject({
      t: "MESSAGE_CREATE",
      s: 2,
      d: { id: created.id, content: "Game on", guild_id: sandbox.guildId },
    });
    await fetch(`${sandbox.restUrl}/v10/channels/${sandbox.channelId}/messages/${created.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ content: "Game over" }),
    });
    expect(await client.next()).toMatchObject({
      t: "MESSAGE_UPDATE",
      s: 3,
      d: { content: "Game over" },
    });
    await client.close();
  });
});

describe("resume", () => {
  it("replays the dispatches missed while disconnected, then RESUMED", async () => {
    await registerPing();
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    const sessionId = ready.d.session_id;
    await client.close(4000); // not 1000/1001: the session stays resumable
    const missed = await sandbox.client.command({ userId: alice().id, name: "ping" });

    const again = await connectGateway(ready.d.resume_gateway_url);
    await again.next((p) => p.op === 10);
    again.send({ op: 6, d: { token: sandbox.token, session_id: sessionId, seq: 1 } });
    const replayed = await again.next();
    expect(replayed).toMatchObject({ t: "INTERACTION_CREATE", s: 2, d: { id: missed.id } });
    expect(await again.next()).toMatchObject({ op: 0, t: "RESUMED", s: 3 });
    await again.close();
  });

  it("answers INVALID_SESSION (d: false) for an unknown session", async () => {
    const client = await connectGateway(sandbox.gatewayUrl);
    await client.next((p) => p.op === 10);
    client.send({ op: 6, d: { token: sandbox.token, session_id: "0".repeat(32), seq: 1 } });
    expect(await client.next()).toMatchObject({ op: 9, d: false });
    await client.close();
  });

  it("invalidates a session the client closed with 1000", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await client.close(1000);
    const again = await connectGateway(sandbox.gatewayUrl);
    again.send({ op: 6, d: { token: sandbox.token, session_id: ready.d.session_id, seq: 1 } });
    expect(await again.next((p) => p.op !== 10)).toMatchObject({ op: 9, d: false });
    await again.close();
  });

  it("closes with 4007 when RESUME names a sequence number not yet sent", async () => {
    const { client, ready } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    await client.close(4000);
    const again = await connectGateway(sandbox.gatewayUrl);
    again.send({ op: 6, d: { token: sandbox.token, session_id: ready.d.session_id, seq: 99 } });
    expect((await again.closed).code).toBe(4007);
  });
});

describe("heartbeat deadline", () => {
  it("closes with 4009 when no heartbeat arrives within 1.5 intervals", async () => {
    const quick = await startSandbox({ heartbeatIntervalMs: 100 });
    try {
      const client = await connectGateway(quick.gatewayUrl);
      expect((await client.next()).d.heartbeat_interval).toBe(100);
      expect(await client.closed).toEqual({ code: 4009, reason: "Session timed out." });
    } finally {
      await quick.close();
    }
  });
});
