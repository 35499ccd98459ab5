import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { escapeHtml } from "../../src/sandbox/view.ts";
import { identify } from "./_gateway_client.ts";
import { api, buttonRow } from "./_rest.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ interactionDeadlineMs: 100 });
});
afterAll(async () => {
  await sandbox.close();
});

const view = async (query = "") => {
  const response = await fetch(`${sandbox.url}/_sandbox/view${query}`);
  return { response, html: await response.text() };
};

describe("the web view", () => {
  it("draws a channel's messages with their embeds and buttons, as Discord would", async () => {
    await api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, {
      content: "A **bold** board",
      embeds: [{
        title: "Alice vs The House",
        color: 0xf97316,
        fields: [{ name: "On the floor", value: "Alice on offense" }],
        footer: { text: "Game #7" },
      }],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 1, label: "Drive (2)", custom_id: "pick:7:0:drive" },
            { type: 2, style: 4, label: "Forfeit", custom_id: "forfeit:7", disabled: true },
          ],
        },
      ],
    });
    const { response, html } = await view(`?channel=${sandbox.channelId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain('class="embed" style="border-left-color:#f97316"');
    expect(html).toContain('<div class="field-name">On the floor</div>');
    expect(html).toMatch(
      /<span class="button style-1" data-custom-id="pick:7:0:drive">Drive \(2\)<\/span>/,
    );
    expect(html).toMatch(/class="button style-4 disabled" data-custom-id="forfeit:7">Forfeit/);
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
  });

  it("escapes everything that comes from messages", async () => {
    await api(sandbox, "POST", `/channels/${sandbox.channelId}/messages`, {
      content: `<script>alert("x")</script>`,
      components: [buttonRow(`"><img src=x onerror=alert(1)>`)],
    });
    const { html } = await view(`?channel=${sandbox.channelId}&refresh=0`);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toContain('http-equiv="refresh"');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });

  it("lists recent interactions and failures, and marks ephemeral replies", async () => {
    await api(sandbox, "PUT", `/applications/${sandbox.applicationId}/commands`, [{
      name: "ping",
      description: "Ping",
    }]);
    const { client } = await identify(sandbox.gatewayUrl, sandbox.token, 0);
    try {
      const alice = sandbox.users.find((u) => u.username === "alice")!;
      const answered = await sandbox.client.command({ userId: alice.id, name: "ping" });
      await api(sandbox, "POST", `/interactions/${answered.id}/${answered.token}/callback`, {
        type: 4,
        data: { content: "secret pong", flags: 64 },
      }, null);
      const failed = await sandbox.client.command({ userId: alice.id, name: "ping" });
      expect((await sandbox.client.waitForResponse(failed.id, 2000)).status).toBe("failed");
      const { html } = await view(`?channel=${sandbox.channelId}`);
      expect(html).toMatch(/Failures \(1\)/);
      expect(html).toMatch(/<tr class="status-failed"><td>Alice<\/td><td class="mono">\/ping/);
      expect(html).toContain("secret pong");
      expect(html).toContain("Only Alice can see this");
      expect(html).toContain("Alice used <strong>/ping</strong>");
    } finally {
      await client.close();
    }
  });

  it("is linked from / and served with a restrictive content security policy", async () => {
    const root = await fetch(`${sandbox.url}/`, { redirect: "manual" });
    await root.body?.cancel();
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/_sandbox/view");
    const { response } = await view();
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
  });
});
