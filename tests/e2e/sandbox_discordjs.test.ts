/**
 * A second, independent client proves the sandbox is Discord-shaped rather than shaped to
 * Blitz: discord.js (its own REST, gateway, resume logic) connects, gets READY and
 * GUILD_CREATE, answers an interaction, and survives a forced RECONNECT.
 */
import { Client, Events, GatewayIntentBits, MessageFlags } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("discord.js against the sandbox", () => {
  let sandbox: Sandbox;
  let client: Client;
  const packets: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    // The REST base is the only thing pointed at the sandbox; the gateway URL comes from
    // GET /gateway/bot, as with Discord.
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sandbox.restUrl } });
    client.on(Events.Raw, (packet: { t: string | null }) => {
      if (packet.t) packets.push(packet.t);
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply({
        content: `pong from discord.js to ${interaction.user.username}`,
        flags: MessageFlags.Ephemeral,
      });
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(sandbox.token);
    await ready;
  });
  afterAll(async () => {
    await client.destroy();
    await sandbox.close();
  });

  it("receives READY and a GUILD_CREATE for the sandbox's guild", () => {
    expect(packets.slice(0, 2)).toEqual(["READY", "GUILD_CREATE"]);
    expect(client.user?.id).toBe(sandbox.applicationId);
    const guild = client.guilds.cache.get(sandbox.guildId);
    expect(guild?.name).toBe("Blitz Sandbox");
    expect(guild?.channels.cache.get(sandbox.channelId)?.name).toBe("blitz");
    expect(guild?.roles.cache.map((r) => r.name)).toContain("Moderator");
  });

  it("registers a command and answers an interaction through the sandbox", async () => {
    await client.application!.commands.set([{ name: "ping", description: "Ping" }]);
    expect((await sandbox.client.commands()).map((c) => (c as { name: string }).name)).toEqual([
      "ping",
    ]);
    const alice = sandbox.users.find((u) => u.username === "alice")!;
    const handle = await sandbox.client.command({ userId: alice.id, name: "ping" });
    const record = await sandbox.client.waitForResponse(handle.id, 10_000);
    expect(record.status).toBe("answered");
    expect(record.original).toMatchObject({
      content: "pong from discord.js to alice",
      ephemeral: true,
      visible_to: alice.id,
    });
  });

  it("survives a forced RECONNECT: it resumes its session and keeps answering", async () => {
    const fault = await sandbox.client.sendReconnect();
    let story = await sandbox.client.faultRecord(fault.id);
    for (let i = 0; i < 100 && !story?.outcome; i++) {
      await sleep(100);
      story = await sandbox.client.faultRecord(fault.id);
    }
    expect(story?.outcome).toBe("resumed");
    // The sandbox records the resume when it sends RESUMED; the client reads it a moment later.
    for (let i = 0; i < 50 && !packets.includes("RESUMED"); i++) await sleep(20);
    expect(packets).toContain("RESUMED");
    const bob = sandbox.users.find((u) => u.username === "bob")!;
    const record = await sandbox.client.waitForResponse(
      (await sandbox.client.command({ userId: bob.id, name: "ping" })).id,
      10_000,
    );
    expect(record.original?.content).toBe("pong from discord.js to bob");
    const state = await sandbox.client.state();
    expect(state.gateway).toMatchObject({ identifies: 1, resumes: 1, competingSockets: 0 });
  });
});
