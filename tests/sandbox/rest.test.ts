import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { api, buttonRow } from "./_rest.ts";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe("authentication and routing", () => {
  it("answers 401 with Discord's body when the bot token is missing", async () => {
    const result = await api(sandbox, "GET", "/users/@me", undefined, null);
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ message: "401: Unauthorized", code: 0 });
  });

  it("answers 401 for a wrong bot token", async () => {
    const result = await api(sandbox, "GET", "/users/@me", undefined, "wrong.token.here");
    expect(result.status).toBe(401);
  });

  it("answers 404 with Discord's body for an unknown route", async () => {
    const result = await api(sandbox, "GET", "/no/such/route");
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ message: "404: Not Found", code: 0 });
  });

  it("refuses API versions other than 10", async () => {
    const response = await fetch(`${sandbox.restUrl}/v9/users/@me`, {
      headers: { authorization: `Bot ${sandbox.token}` },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe(50041);
  });

  it("answers 50109 for a body that is not JSON", async () => {
    const result = await api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, "{oops");
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      message: "The request body contains invalid JSON.",
      code: 50109,
    });
  });
});

describe("gateway and identity", () => {
  it("GET /gateway/bot points at the sandbox gateway with Discord's session limits", async () => {
    const result = await api(sandbox, "GET", "/gateway/bot");
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      url: sandbox.gatewayUrl,
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 1000,
        reset_after: 14400000,
        max_concurrency: 1,
      },
    });
  });

  it("GET /users/@me is the bot user, whose id the token encodes", async () => {
    const result = await api(sandbox, "GET", "/users/@me");
    expect(result.body).toMatchObject({ id: sandbox.applicationId, bot: true, username: "Blitz" });
    expect(atob(sandbox.token.split(".")[0]!)).toBe(sandbox.applicationId);
  });

  it("GET /applications/@me is the application", async () => {
    const result = await api(sandbox, "GET", "/applications/@me");
    expect(result.body).toMatchObject({
      id: sandbox.applicationId,
      bot: { id: sandbox.applicationId },
    });
  });
});

describe("application commands", () => {
  const commands = [
    {
      name: "play",
      description: "Start a game",
      options: [{ type: 6, name: "opponent", description: "Who", required: true }],
    },
    { name: "stats", description: "Your stats" },
  ];

  it("bulk-overwrites global commands and lists them with ids, application_id and version", async () => {
    const put = await api(
      sandbox,
      "PUT",
      `/applications/${sandbox.applicationId}/commands`,
      commands,
    );
    expect(put.status).toBe(200);
    expect(put.body).toHaveLength(2);
    for (const command of put.body) {
      expect(command).toMatchObject({ application_id: sandbox.applicationId, type: 1 });
      expect(command.id).toMatch(/^\d{17,20}$/);
      expect(command.version).toMatch(/^\d{17,20}$/);
    }
    const list = await api(sandbox, "GET", `/applications/${sandbox.applicationId}/commands`);
    expect(list.body).toEqual(put.body);
  });

  it("keeps the id of a command that survives an overwrite and drops the others", async () => {
    const first = await api(
      sandbox,
      "PUT",
      `/applications/${sandbox.applicationId}/commands`,
      commands,
    );
    const second = await api(sandbox, "PUT", `/applications/${sandbox.applicationId}/commands`, [
      commands[0],
    ]);
    expect(second.body.map((c: { id: string }) => c.id)).toEqual([first.body[0].id]);
    expect(second.body[0].version).toBe(first.body[0].version);
  });

  it("bulk-overwrites a guild's commands separately from global ones", async () => {
    const path = `/applications/${sandbox.applicationId}/guilds/${sandbox.guildId}/commands`;
    const put = await api(sandbox, "PUT", path, [{ name: "admin", description: "Admin tools" }]);
    expect(put.body[0]).toMatchObject({ name: "admin", guild_id: sandbox.guildId });
    expect((await api(sandbox, "GET", path)).body).toEqual(put.body);
    const all = await sandbox.client.commands();
    expect(all.map((c) => (c as { name: string }).name)).toContain("admin");
  });

  it("refuses an invalid command with 50035 and the field's path", async () => {
    const result = await api(sandbox, "PUT", `/applications/${sandbox.applicationId}/commands`, [
      { name: "Bad Name", description: "" },
    ]);
    expect(result.status).toBe(400);
    expect(result.body.code).toBe(50035);
    expect(result.body.errors["0"].name._errors[0].code).toBe("APPLICATION_COMMAND_INVALID_NAME");
    expect(result.body.errors["0"].description._errors[0].code).toBe("BASE_TYPE_BAD_LENGTH");
  });
});

describe("channel messages", () => {
  it("stores content, embeds and components exactly as sent, authored by the bot", async () => {
    const body = {
      content: "Tip-off!",
      embeds: [{ title: "Game 1", fields: [{ name: "Score", value: "0-0", inline: true }] }],
      components: [buttonRow("shoot", "pass")],
    };
    const created = await api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, body);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      ...body,
      channel_id: sandbox.channelId,
      edited_timestamp: null,
      flags: 0,
    });
    expect(created.body.author.id).toBe(sandbox.applicationId);
    const fetched = await api(
      sandbox,
      "GET",
      `/channels/${sandbox.channelId}/messages/${created.body.id}`,
    );
    expect(fetched.body).toEqual(created.body);
  });

  it("edits a message and sets edited_timestamp", async () => {
    const created = await api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, {
      content: "before",
    });
    const edited = await api(
      sandbox,
      "PATCH",
      `/channels/${sandbox.channelId}/messages/${created.body.id}`,
      { content: "after" },
    );
    expect(edited.status).toBe(200);
    expect(edited.body.content).toBe("after");
    expect(edited.body.edited_timestamp).not.toBeNull();
  });

  it("lists messages newest first", async () => {
    const list = await api(sandbox, "GET", `/channels/${sandbox.channelId}/messages?limit=2`);
    expect(list.body).toHaveLength(2);
    expect(BigInt(list.body[0].id)).toBeGreaterThan(BigInt(list.body[1].id));
  });

  it("answers 10003 for an unknown channel and 10008 for an unknown message", async () => {
    expect((await api(sandbox, "POST", "/channels/1/messages", { content: "x" })).body.code).toBe(
      10003,
    );
    expect((await api(sandbox, "GET", `/channels/${sandbox.channelId}/messages/1`)).body.code).toBe(
      10008,
    );
  });
});
