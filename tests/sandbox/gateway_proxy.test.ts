/**
 * The gateway's TCP relay on its own: it carries bytes both ways unchanged, passes a FIN on,
 * swallows everything once blackholed, and cuts both sockets when severed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayRelay, startGatewayRelay } from "../../src/sandbox/gateway_proxy.ts";

interface Pair {
  relay: GatewayRelay;
  /** The side that dialled the relay (the bot). */
  client: Deno.TcpConn;
  /** The side the relay dialled (the gateway). */
  server: Deno.TcpConn;
}

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const it of opened.splice(0)) {
    try {
      it.close();
    } catch { /* already closed */ }
  }
});

async function relayed(): Promise<Pair> {
  const upstream = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const relay = startGatewayRelay("127.0.0.1", (upstream.addr as Deno.NetAddr).port);
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(relay.origin.replace("ws:", "http:")).port),
  });
  const server = await upstream.accept() as Deno.TcpConn;
  opened.push(upstream, relay, client, server);
  // The relay registers the link once its own connect returns, which may come after accept.
  const port = (server.remoteAddr as Deno.NetAddr).port;
  for (let i = 0; i < 200 && !relay.linkFor(port); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { relay, client, server };
}

/** Reads exactly `length` bytes (or what came before EOF). */
async function readBytes(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = await conn.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return out.subarray(0, at);
}

/** Resolves with null at EOF, or the first bytes read before `ms` passed ("timeout"). */
async function nextRead(conn: Deno.Conn, ms: number): Promise<number | null | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([conn.read(new Uint8Array(1024)).catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("the gateway relay", () => {
  it("carries large and small writes both ways, byte for byte", async () => {
    const { client, server } = await relayed();
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff); // several reads' worth
    const writing = (async () => {
      for (let at = 0; at < big.length;) at += await client.write(big.subarray(at));
    })();
    const received = await readBytes(server, big.length);
    expect(received.length).toBe(big.length);
    expect(received.findIndex((byte, i) => byte !== big[i])).toBe(-1); // toEqual: ~1 s at this size
    await writing;
    await server.write(new TextEncoder().encode("🏀 ack"));
    expect(new TextDecoder().decode(await readBytes(client, 8))).toBe("🏀 ack");
  });

  it("passes a close on: the far side reads EOF, as it would over a network", async () => {
    const { client, server } = await relayed();
    await client.write(new Uint8Array([1, 2, 3]));
    expect(await readBytes(server, 3)).toEqual(new Uint8Array([1, 2, 3]));
    client.close();
    expect(await nextRead(server, 2000)).toBeNull();
  });

  it("swallows every byte once blackholed, with both sockets still open", async () => {
    const { relay, client, server } = await relayed();
    const port = (server.remoteAddr as Deno.NetAddr).port;
    const link = relay.linkFor(port)!;
    expect(link).toBeDefined();
    link.blackhole();
    await client.write(new Uint8Array([9]));
    await server.write(new Uint8Array([8]));
    expect(await nextRead(server, 300)).toBe("timeout");
    expect(await nextRead(client, 300)).toBe("timeout");
    expect(link.severed).toBe(false);
  });

  it("cuts both sockets at once when severed", async () => {
    const { relay, client, server } = await relayed();
    const link = relay.linkFor((server.remoteAddr as Deno.NetAddr).port)!;
    link.sever();
    expect(await nextRead(client, 2000)).toBeNull();
    expect(await nextRead(server, 2000)).toBeNull();
    expect(relay.linkFor((server.remoteAddr as Deno.NetAddr).port)).toBeUndefined();
  });
});
