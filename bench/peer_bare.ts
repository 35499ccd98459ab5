/**
 * The floor for comparison: a bot with no library at all, only Deno's WebSocket and fetch. It
 * identifies, heartbeats, and answers every interaction with the same fixed ephemeral reply as
 * the discord.js peer, with no queue, no rate-limit handling, no game and no database. What it
 * sustains on this machine is the most any bot can, under the same load generator and sandbox
 * sharing the same cores. Not a bot to ship: it ignores RESUME, reconnects and 429s. Connects to
 * DISCORD_API_URL with DISCORD_TOKEN (the sandbox).
 */
const token = Deno.env.get("DISCORD_TOKEN")!;
const api = `${Deno.env.get("DISCORD_API_URL")!}/v10`;
const headers = { authorization: `Bot ${token}`, "content-type": "application/json" };

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return response.status === 204 ? undefined : await response.json();
}

const app = await call("GET", "/applications/@me") as { id: string };
await call("PUT", `/applications/${app.id}/commands`, [{
  name: "ping",
  description: "Fixed reply",
}]);
const { url } = await call("GET", "/gateway/bot") as { url: string };

const reply = JSON.stringify({ type: 4, data: { content: "🏀 Pong!", flags: 64 } });
const socket = new WebSocket(`${url}/?v=10&encoding=json`);
let sequence: number | null = null;
socket.onmessage = (event) => {
  const payload = JSON.parse(event.data as string);
  if (payload.s) sequence = payload.s;
  if (payload.op === 10) {
    setInterval(
      () => socket.send(JSON.stringify({ op: 1, d: sequence })),
      payload.d.heartbeat_interval,
    );
    socket.send(JSON.stringify({
      op: 2,
      d: { token, intents: 1, properties: { os: "linux", browser: "bare", device: "bare" } },
    }));
  } else if (payload.t === "INTERACTION_CREATE") {
    fetch(`${api}/interactions/${payload.d.id}/${payload.d.token}/callback`, {
      method: "POST",
      headers,
      body: reply,
    }).then((response) => response.text()).catch(() => {});
  }
};
socket.onclose = (event) => {
  console.error(`bare peer: gateway closed (${event.code} ${event.reason})`);
  Deno.exit(1);
};
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
