import { describe, expect, it } from "vitest";
import { slimInteraction } from "../../src/bot/router.ts";
import type { RawInteraction } from "../../src/bot/types.ts";

/** A button click as Discord sends it: the message it came from rides along, whole. */
function clickPayload() {
  const button = (id: string) => ({ type: 2, style: 1, label: id, custom_id: `pick:7:3:${id}` });
  return {
    id: "1300000000000000001",
    application_id: "1200000000000000001",
    type: 3,
    token: "aW50ZXJhY3Rpb24:token",
    guild_id: "1100000000000000001",
    channel_id: "1100000000000000002",
    guild: { id: "1100000000000000001", locale: "en-US", features: [] },
    channel: { id: "1100000000000000002", type: 0, name: "arena", permissions: "2248473465835073" },
    member: {
      user: { id: "1000000000000000001", username: "alice", global_name: "Alice", avatar: null },
      permissions: "2248473465835073",
      roles: [],
      nick: null,
      joined_at: "2026-01-01T00:00:00.000000+00:00",
    },
    data: { custom_id: "pick:7:3:three", component_type: 2 },
    message: {
      id: "1400000000000000001",
      channel_id: "1100000000000000002",
      content: "",
      author: { id: "1200000000000000001", username: "Blitz", bot: true },
      embeds: [{ title: "Alice vs the House", description: "x".repeat(400), fields: [] }],
      components: [
        { type: 1, components: ["three", "mid", "drive", "post"].map(button) },
        { type: 1, components: ["man", "zone", "press", "trap"].map(button) },
      ],
      timestamp: "2026-11-23T00:00:00.000000+00:00",
    },
    app_permissions: "2248473465835073",
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": "1100000000000000001" },
    context: 0,
    attachment_size_limit: 10485760,
  };
}

describe("slimInteraction: what an interaction keeps while Discord answers", () => {
  it("keeps every field Blitz reads and only the id and channel of the message", () => {
    const raw = clickPayload();
    const slim = slimInteraction(raw as RawInteraction);
    expect(slim).toEqual({
      id: raw.id,
      application_id: raw.application_id,
      type: 3,
      token: raw.token,
      guild_id: raw.guild_id,
      channel_id: raw.channel_id,
      member: raw.member,
      data: raw.data,
      message: { id: "1400000000000000001", channel_id: "1100000000000000002" },
    });
    // What a click holds in flight, as JSON: a fraction of the payload.
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(raw).length / 2);
  });

  it("keeps a direct message's user, and adds nothing the payload did not have", () => {
    const raw = {
      id: "1300000000000000002",
      application_id: "1200000000000000001",
      type: 2,
      token: "t",
      user: { id: "1000000000000000002", username: "bob" },
      data: { name: "blitz", options: [{ name: "stats", type: 1 }] },
    };
    expect(slimInteraction(raw as RawInteraction)).toEqual(raw);
  });
});
