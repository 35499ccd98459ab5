/**
 * A raw gateway client for tests: queues every payload it receives so a test can await the
 * next one (or the next matching one) without sleeping, and records how the socket closed.
 */

/** A gateway payload as received. */
// deno-lint-ignore no-explicit-any
export type GatewayPayload = { op: number; d: any; s: number | null; t: string | null };

/** The test's handle on one gateway connection. */
export interface GatewayTestClient {
  /** Resolves with the next received payload matching `predicate` (earlier non-matching ones are dropped). */
  next(
    predicate?: (payload: GatewayPayload) => boolean,
    timeoutMs?: number,
  ): Promise<GatewayPayload>;
  send(payload: unknown): void;
  sendRaw(text: string): void;
  /** Resolves when the socket closes, with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(code?: number): Promise<{ code: number; reason: string }>;
}

/** Opens a connection to `gatewayUrl` with `query` (default v=10, JSON). */
export async function connectGateway(
  gatewayUrl: string,
  query = "?v=10&encoding=json",
): Promise<GatewayTestClient> {
  const socket = new WebSocket(`${gatewayUrl}${query}`);
  const queue: GatewayPayload[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  let closeInfo: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => {
      closeInfo = { code: event.code, reason: event.reason };
      resolve(closeInfo);
      wake();
    };
  });
  socket.onmessage = (event) => {
    queue.push(JSON.parse(String(event.data)));
    wake();
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`Cannot connect to ${gatewayUrl}`));
  });

  return {
    async next(predicate = () => true, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        while (queue.length) {
          const payload = queue.shift()!;
          if (predicate(payload)) return payload;
        }
        if (closeInfo) {
          throw new Error(
            `Socket closed (${closeInfo.code} ${closeInfo.reason}) while waiting for a payload`,
          );
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`No matching gateway payload within ${timeoutMs} ms`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          timer = setTimeout(resolve, remaining);
        });
        clearTimeout(timer);
      }
    },
    send: (payload) => socket.send(JSON.stringify(payload)),
    sendRaw: (text) => socket.send(text),
    closed,
    async close(code = 1000) {
      if (socket.readyState === WebSocket.OPEN) socket.close(code);
      return await closed;
    },
  };
}

/** Identifies on a fresh connection and returns the client with its READY payload. */
export async function identify(
  gatewayUrl: string,
  token: string,
  intents = 1,
): Promise<{ client: GatewayTestClient; ready: GatewayPayload }> {
  const client = await connectGateway(gatewayUrl);
  await client.next((p) => p.op === 10);
  client.send({
    op: 2,
    d: { token, intents, properties: { os: "linux", browser: "test", device: "test" } },
  });
  const ready = await client.next((p) => p.t === "READY");
  return { client, ready };
}
