/**
 * A loopback TCP relay in front of the gateway, so faults can do to a connection what a
 * network does: swallow every byte in both directions while the sockets stay open (a
 * "zombie": no heartbeat ACK, no close handshake), or cut the TCP connection without any
 * WebSocket close frame (a dropped connection). `Deno.upgradeWebSocket` always answers a
 * close frame itself, so neither can be simulated inside the WebSocket server.
 *
 * The server recognises a relayed connection by its remote port: the relay's upstream
 * socket's local port, registered here before any byte is relayed.
 *
 * @module
 */

/** One relayed TCP connection. */
export interface RelayLink {
  /** Drops every byte from now on, both ways; the sockets stay open. */
  blackhole(): void;
  /** Closes both TCP sockets at once: the client sees no close frame. */
  sever(): void;
  readonly blackholed: boolean;
  readonly severed: boolean;
}

/** The relay. */
export interface GatewayRelay {
  /** "ws://127.0.0.1:PORT" (no path). */
  readonly origin: string;
  /** The link whose upstream socket has local port `port`, if it is relayed. */
  linkFor(port: number): RelayLink | undefined;
  /** Stops listening and cuts every link. */
  close(): void;
}

/** Starts a relay on `hostname` that forwards to `upstreamPort` on the same host. */
export function startGatewayRelay(hostname: string, upstreamPort: number): GatewayRelay {
  const listener = Deno.listen({ hostname, port: 0, transport: "tcp" });
  const links = new Map<number, RelayLink>();
  let closed = false;

  const relay = async (client: Deno.Conn) => {
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname, port: upstreamPort });
    } catch {
      try {
        client.close();
      } catch { /* already closed */ }
      return;
    }
    // Small gateway frames must not wait for Nagle's algorithm (up to ~40 ms with delayed ACKs).
    upstream.setNoDelay(true);
    (client as Deno.TcpConn).setNoDelay?.(true);
    const port = (upstream.localAddr as Deno.NetAddr).port;
    let blackholed = false;
    let severed = false;
    const sever = () => {
      if (severed) return;
      severed = true;
      links.delete(port);
      for (const conn of [client, upstream]) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    };
    const link: RelayLink = {
      blackhole: () => (blackholed = true),
      sever,
      get blackholed() {
        return blackholed;
      },
      get severed() {
        return severed;
      },
    };
    links.set(port, link);
    // A plain read/write loop per direction: web streams (pipeThrough a TransformStream, then
    // pipeTo) cost ~3 promises and a queue per chunk, and the relay carries every dispatch.
    const pump = async (from: Deno.Conn, to: Deno.Conn) => {
      const buffer = new Uint8Array(64 * 1024);
      while (!severed) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (blackholed) continue;
        for (let at = 0; at < n;) at += await to.write(buffer.subarray(at, n));
      }
      // The other side sent its FIN: pass it on (half-close), as a network would.
      if (!severed) await to.closeWrite();
    };
    // A reset on either side ends the link: the other direction's read then fails too.
    await Promise.all([pump(client, upstream).catch(sever), pump(upstream, client).catch(sever)]);
    sever();
  };

  (async () => {
    for await (const client of listener) {
      if (closed) {
        client.close();
        break;
      }
      relay(client).catch(() => {});
    }
  })().catch(() => {});

  const address = listener.addr as Deno.NetAddr;
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return {
    origin: `ws://${host}:${address.port}`,
    linkFor: (port) => links.get(port),
    close() {
      if (closed) return;
      closed = true;
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const link of [...links.values()]) link.sever();
    },
  };
}
