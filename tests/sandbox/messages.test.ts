import { describe, expect, it } from "vitest";
import { createMessageStore, MAX_MESSAGES_PER_CHANNEL } from "../../src/sandbox/messages.ts";
import type { World } from "../../src/sandbox/state.ts";

/** The parts of the world the message store reads. */
function fakeWorld(): World {
  let id = 1000n;
  return {
    ids: { next: () => String(id++) },
    now: () => Date.UTC(2026, 11, 7),
    channel: () => undefined,
    log: () => {},
    feed: { notify: () => {} },
  } as unknown as World;
}

const author = { id: "1", username: "bot", global_name: null, discriminator: "0", avatar: null };

describe("the sandbox's message store", () => {
  it("keeps a long run's channel bounded, dropping the oldest messages, and resyncs old cursors", () => {
    const store = createMessageStore(fakeWorld());
    const post = (i: number) =>
      store.create({ channelId: "c1", author, body: { content: `m${i}` }, type: 0 });
    const first = post(0);
    const cursor = store.revision;
    const total = Math.ceil(MAX_MESSAGES_PER_CHANNEL * 1.3);
    let last = first;
    for (let i = 1; i < total; i++) last = post(i);

    const kept = store.inChannel("c1");
    expect(kept.length).toBeGreaterThanOrEqual(MAX_MESSAGES_PER_CHANNEL);
    expect(kept.length).toBeLessThanOrEqual(MAX_MESSAGES_PER_CHANNEL * 1.25);
    expect(kept.at(-1)?.id).toBe(last.id);
    expect(store.get(first.id)).toBeUndefined();
    expect(() => store.edit(first.id, { content: "late" })).toThrow(RangeError);

    // A cursor older than the change log gets every message the channel still has.
    const resync = store.changedSince("c1", cursor);
    expect(resync.messages.length).toBe(kept.length);
    // A recent cursor gets only what changed after it.
    const now = store.revision;
    store.edit(last.id, { content: "edited" });
    expect(store.changedSince("c1", now).messages.map((m) => m.content)).toEqual(["edited"]);
  });
});
