import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { api, buttonRow } from "./_rest.ts";

// A fresh sandbox per test: refused requests count toward the channel's rate limit too.
let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

const post = (body: unknown) =>
  api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, body);

describe("message validation", () => {
  it("refuses content over 2000 characters with 50035 BASE_TYPE_MAX_LENGTH", async () => {
    const result = await post({ content: "x".repeat(2001) });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      message: "Invalid Form Body",
      code: 50035,
      errors: {
        content: {
          _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
        },
      },
    });
  });

  it("accepts content of exactly 2000 characters", async () => {
    expect((await post({ content: "x".repeat(2000) })).status).toBe(200);
  });

  it("counts characters, not UTF-16 units: 2000 emoji pass, 2001 do not", async () => {
    expect((await post({ content: "🏀".repeat(2000) })).status).toBe(200);
    const result = await post({ content: "🏀".repeat(1999) + "é!" });
    expect(result.status).toBe(400);
    expect(result.body.errors.content._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
  });

  it("refuses more than 5 action rows", async () => {
    const rows = Array.from({ length: 6 }, (_, i) => buttonRow(`b${i}`));
    const result = await post({ components: rows });
    expect(result.body.code).toBe(50035);
    expect(result.body.errors.components._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
  });

  it("refuses more than 5 buttons in a row", async () => {
    const result = await post({ components: [buttonRow("a", "b", "c", "d", "e", "f")] });
    expect(result.body.code).toBe(50035);
    expect(result.body.errors.components["0"].components._errors[0].code).toBe(
      "BASE_TYPE_MAX_LENGTH",
    );
  });

  it("refuses a custom_id longer than 100 characters", async () => {
    const result = await post({ components: [buttonRow("x".repeat(101))] });
    expect(result.body.code).toBe(50035);
    expect(result.body.errors.components["0"].components["0"].custom_id._errors[0].code).toBe(
      "BASE_TYPE_BAD_LENGTH",
    );
  });

  it("refuses two components with the same custom_id", async () => {
    const result = await post({ components: [buttonRow("same"), buttonRow("same")] });
    expect(result.body.errors.components["1"].components["0"].custom_id._errors[0].code).toBe(
      "COMPONENT_CUSTOM_ID_DUPLICATED",
    );
  });

  it("refuses more than 10 embeds", async () => {
    const result = await post({
      embeds: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })),
    });
    expect(result.body.errors.embeds._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
  });

  it("refuses more than 25 fields in an embed", async () => {
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: "v" }));
    const result = await post({ embeds: [{ title: "t", fields }] });
    expect(result.body.errors.embeds["0"].fields._errors[0].code).toBe("BASE_TYPE_MAX_LENGTH");
  });

  it("refuses embeds whose text adds up to more than 6000 characters", async () => {
    const embeds = [{ description: "d".repeat(4000) }, { description: "d".repeat(2001) }];
    const result = await post({ embeds });
    expect(result.body.errors.embeds._errors[0].code).toBe("MAX_EMBED_SIZE_EXCEEDED");
  });

  it("refuses an empty message with 50006", async () => {
    const result = await post({ content: "", embeds: [], components: [] });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ message: "Cannot send an empty message", code: 50006 });
  });

  it("refuses an edit that would leave the message empty", async () => {
    const created = await post({ content: "hello" });
    const result = await api(
      sandbox,
      "PATCH",
      `/channels/${sandbox.channelId}/messages/${created.body.id}`,
      { content: "" },
    );
    expect(result.body.code).toBe(50006);
  });
});
