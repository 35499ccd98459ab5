/** `/ping`: proves the bot answers, with the gateway's heartbeat round trip. */
import type { InteractionHandler } from "./router.ts";

/** Creates the `/ping` handler; `latencyMs` reads the gateway's last heartbeat round trip. */
export function createPingHandler(latencyMs: () => number | undefined): InteractionHandler {
  return async (ctx) => {
    const latency = latencyMs();
    const text = latency === undefined
      ? "🏀 Pong! Gateway latency: not measured yet (first heartbeat pending)."
      : `🏀 Pong! Gateway latency: ${latency} ms.`;
    await ctx.reply({ content: text }, { ephemeral: true });
  };
}
