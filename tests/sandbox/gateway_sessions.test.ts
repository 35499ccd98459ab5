/**
 * The gateway session registry on its own: what a session keeps for RESUME.
 */
import { describe, expect, it } from "vitest";
import {
  bufferedText,
  createGatewaySessions,
  DISPATCH_BUFFER_SIZE,
} from "../../src/sandbox/gateway_sessions.ts";

describe("a session's dispatch buffer", () => {
  it("gives back exactly what was sent, emoji and all, and keeps the last DISPATCH_BUFFER_SIZE", () => {
    const sessions = createGatewaySessions(() => 0);
    const session = sessions.create({ intents: 0 });
    const sent: string[] = [];
    session.sink = { send: (text) => sent.push(text), close() {} };
    const d = { content: "🏀 Alice drives ⛹️ — 2 pts", embeds: [{ title: "Q1 · 12–10" }] };
    for (let i = 0; i < DISPATCH_BUFFER_SIZE + 5; i++) {
      sessions.dispatch(session, "MESSAGE_CREATE", d);
    }
    expect(session.buffer).toHaveLength(DISPATCH_BUFFER_SIZE);
    expect(session.buffer[0]!.s).toBe(6);
    const last = session.buffer[session.buffer.length - 1]!;
    expect(bufferedText(last)).toBe(sent[sent.length - 1]);
    expect(JSON.parse(bufferedText(last))).toEqual({
      op: 0,
      t: "MESSAGE_CREATE",
      s: DISPATCH_BUFFER_SIZE + 5,
      d,
    });
  });
});
