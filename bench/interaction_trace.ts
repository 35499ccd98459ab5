/**
 * A diagnostic preloaded into the bot with `BENCH_PRELOAD=bench/interaction_trace.ts`: for every
 * interaction it notes when the gateway frame reached the bot's WebSocket (before discordeno
 * parses it), when the bot called `fetch` for its callback, and when that fetch resolved, as
 * "W|F|R interaction-id Unix-ms" lines in `$INTERACTION_TRACE_DIR/interaction-trace.<pid>.txt`
 * (default the system's temporary directory). `bench/trace_report.ts` lines them up with
 * `LOADGEN_TRACE` and splits each answer's time between the way in, the bot's own work and the
 * way back (docs/DECISIONS.md D38). It wraps the global `WebSocket` and `fetch`, so nothing in
 * `src/` knows about it; in the load generator (which gets the same preload) it does nothing.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

const FRAME = /^\{"op":0,"t":"INTERACTION_CREATE","s":\d+,"d":\{"id":"(\d+)"/;
const CALLBACK = /\/interactions\/(\d+)\/[^/]+\/callback/;

if (Deno.mainModule.endsWith("/src/main.ts")) {
  const path = join(
    Deno.env.get("INTERACTION_TRACE_DIR") ?? tmpdir(),
    `interaction-trace.${Deno.pid}.txt`,
  );
  const lines: string[] = [];
  const now = () => (performance.timeOrigin + performance.now()).toFixed(2);
  const flush = () => {
    if (lines.length === 0) return;
    try {
      Deno.writeTextFileSync(path, lines.splice(0).join("\n") + "\n", { append: true });
    } catch { /* a diagnostic: never the reason the bot fails */ }
  };
  Deno.unrefTimer(setInterval(flush, 1000));
  globalThis.addEventListener("unload", flush);

  const NativeWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, options?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, options);
      // Registered before discordeno sets `onmessage`, so it runs first.
      this.addEventListener("message", (event) => {
        const id = typeof event.data === "string" ? FRAME.exec(event.data)?.[1] : undefined;
        if (id) lines.push(`W ${id} ${now()}`);
      });
    }
  };

  const nativeFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const id = typeof input === "string" ? CALLBACK.exec(input)?.[1] : undefined;
    if (!id) return await nativeFetch(input, init);
    lines.push(`F ${id} ${now()}`);
    try {
      return await nativeFetch(input, init);
    } finally {
      lines.push(`R ${id} ${now()}`);
    }
  };
}
