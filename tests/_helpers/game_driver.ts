/**
 * Plays Basketball Blitz through the sandbox as users would: reads the board message,
 * works out who is on offense, and clicks a button of the right row.
 */
import type { SandboxClient, SandboxMessage, SandboxUser } from "../../src/sandbox/mod.ts";

/** The pick buttons on a board: custom ids of the offense and defense rows. */
export function boardButtons(board: SandboxMessage): { offense: string[]; defense: string[] } {
  const rows = board.components ?? [];
  const ids = (row: { components?: { custom_id?: string }[] } | undefined) =>
    (row?.components ?? []).map((c) => c.custom_id ?? "").filter(Boolean);
  return { offense: ids(rows[0]), defense: ids(rows[1]) };
}

/** The name of the side on offense, read from the board embed. */
export function onOffense(board: SandboxMessage): string | undefined {
  const field = board.embeds?.[0]?.fields?.find((f: { name: string }) => f.name === "On the floor");
  return /🏀 (.+?) on offense/.exec(field?.value ?? "")?.[1];
}

/** The current board message. */
export async function readMessage(
  client: SandboxClient,
  channelId: string,
  id: string,
): Promise<SandboxMessage> {
  const message = (await client.messages(channelId)).find((m) => m.id === id);
  if (!message) throw new Error(`Message ${id} not found in channel ${channelId}`);
  return message;
}

/** Clicks the pick for `user` on the board (offense: Three/Drive; defense: Zone) and waits for the answer. */
export async function pickOnBoard(
  client: SandboxClient,
  board: SandboxMessage,
  user: SandboxUser,
  choice: { offense?: string; defense?: string } = {},
) {
  const { offense, defense } = boardButtons(board);
  const name = user.global_name ?? user.username;
  const attacking = onOffense(board) === name;
  const wanted = attacking ? choice.offense ?? "three" : choice.defense ?? "zone";
  const customId = (attacking ? offense : defense).find((id) => id.endsWith(`:${wanted}`));
  if (!customId) {
    throw new Error(
      `No ${wanted} button on board ${board.id}: ${JSON.stringify(board.components)}`,
    );
  }
  const handle = await client.click({ userId: user.id, messageId: board.id, customId });
  return await client.waitForResponse(handle.id, 10_000);
}

/** The final or current score line from a board, e.g. "Alice 12 — 9 The House". */
export function scoreLine(board: SandboxMessage): string {
  return /\*\*(.+?)\*\*/.exec(board.embeds?.[0]?.description ?? "")?.[1] ?? "";
}
