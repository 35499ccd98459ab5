/**
 * What a simulated player reads off the channel, as a person would from Discord: a Blitz
 * board (embed "🏀 A vs B", field "On the floor" saying who is on offense and who the game
 * waits for, pick buttons `pick:<game>:<k>:<play>` in an offense row and a defense row) and
 * a challenge addressed to them (`<@id>` mention with Accept / Decline buttons). Pure
 * functions over stored messages.
 *
 * @module
 */
import type { SandboxMessage } from "./types.ts";

/** A board as a player reads it. */
export interface BoardView {
  messageId: string;
  gameId: string;
  /** The possession the buttons belong to. */
  possession: number;
  home: string;
  away: string;
  onOffense: string | undefined;
  /** Names the game waits for (empty when it waits for nobody). */
  waitingFor: string[];
  /** Custom ids of the offense row (row 0) and defense row (row 1). */
  offense: string[];
  defense: string[];
  /** True while the board has pick buttons. */
  active: boolean;
}

/** A challenge message as its addressee reads it. */
export interface ChallengeView {
  messageId: string;
  gameId: string;
  accept: string;
  decline: string;
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const idsOfRow = (row: Json | undefined): string[] =>
  (Array.isArray(row?.components) ? row.components : [])
    .map((c: Json) => (typeof c?.custom_id === "string" ? c.custom_id : ""))
    .filter((id: string) => id.length > 0);

/** Reads a board message; undefined when the message is not a Blitz board. */
export function readBoard(message: SandboxMessage): BoardView | undefined {
  const embed = message.embeds?.[0] as Json | undefined;
  const title = /^🏀 (.+) vs (.+)$/.exec(typeof embed?.title === "string" ? embed.title : "");
  if (!title) return undefined;
  const offense = idsOfRow(message.components?.[0]);
  const defense = idsOfRow(message.components?.[1]);
  const first = /^pick:([^:]+):(\d+):/.exec(offense[0] ?? defense[0] ?? "");
  const footer = /Game #(\d+)/.exec(
    typeof embed?.footer?.text === "string" ? embed.footer.text : "",
  );
  const floor = (Array.isArray(embed?.fields) ? embed.fields : [])
    .find((f: Json) => f?.name === "On the floor")?.value ?? "";
  const waiting = /Waiting for: (.+)$/m.exec(String(floor))?.[1] ?? "";
  return {
    messageId: message.id,
    gameId: first?.[1] ?? footer?.[1] ?? "",
    possession: first ? Number(first[2]) : -1,
    home: title[1]!,
    away: title[2]!,
    onOffense: /🏀 (.+?) on offense/.exec(String(floor))?.[1],
    waitingFor: waiting === "—" || waiting === "" ? [] : waiting.split(" and "),
    offense,
    defense,
    active: first !== null,
  };
}

/** Whether the player named `name` plays in this game. */
export function playsIn(board: BoardView, name: string): boolean {
  return board.home === name || board.away === name;
}

/** Reads a challenge addressed to `userId`; undefined when the message is not one. */
export function readChallengeFor(
  message: SandboxMessage,
  userId: string,
): ChallengeView | undefined {
  if (!message.content?.startsWith(`<@${userId}>`)) return undefined;
  const ids = idsOfRow(message.components?.[0]);
  const accept = ids.find((id) => id.startsWith("accept:"));
  const decline = ids.find((id) => id.startsWith("decline:"));
  if (!accept || !decline) return undefined;
  return { messageId: message.id, gameId: accept.slice("accept:".length), accept, decline };
}

/** Whether `message` is a still-open challenge sent by the player named `name`. */
export function isOpenChallengeFrom(message: SandboxMessage, name: string): boolean {
  return message.content?.includes(`, ${name} challenges you`) === true &&
    idsOfRow(message.components?.[0]).some((id) => id.startsWith("accept:"));
}
