/**
 * Load for the fault suite: sandbox users who play Basketball Blitz through the in-process
 * `sandbox.driver` (no HTTP between the test and the sandbox) — solo players, and pairs who
 * challenge each other. Each player decides from the database (read-only), not from the board
 * message, so a board left stale by a fault, a restart or a kill never stops the load; the
 * boards are checked separately. Every pick the bot confirmed to its player (the board update,
 * or the ephemeral "You picked") is recorded, so a test can look for it in the database.
 */
import { DatabaseSync } from "node:sqlite";
import type { Sandbox, SandboxUser } from "../../src/sandbox/mod.ts";
import {
  createGameSetup,
  decodeRecords,
  DEFENSE_PLAYS,
  OFFENSE_PLAYS,
  type OffensePlay,
  replayGame,
} from "../../src/game/mod.ts";
import type { GameRow } from "../../src/store/games_repo.ts";
import { prng } from "./fault_rig.ts";

/** A pick the bot confirmed to the player who made it. */
export interface ConfirmedPick {
  gameId: number;
  /** The possession index. */
  k: number;
  play: string;
  userId: string;
  interactionId: string;
}

/** Options of {@link createPlayers}. */
export interface PlayersOptions {
  sandbox: Sandbox;
  /** The live database (read-only here). */
  dbPath: string;
  soloSeats: number;
  challengePairs: number;
  /** Pause between an answer and the player's next action, in ms: [min, max]. */
  thinkMs?: [number, number];
  seed?: number;
  /** Possessions per side of challenges (default 2: they finish and start again often). */
  challengePossessions?: number;
  /** Numbering of the sandbox's `load<n>` users starts after this (default 0). */
  userOffset?: number;
  /** An interaction with no answer after this long is given up (default 4000 ms). */
  giveUpMs?: number;
}

type Kind = "play" | "challenge" | "accept" | "pick";

interface Seat {
  user: SandboxUser;
  /** For a pair: the other player; the first of a pair challenges. */
  partner?: Seat;
  challenger: boolean;
  busy: boolean;
  nextAt: number;
}

interface Sent {
  seat: Seat;
  kind: Kind;
  gameId?: number;
  k?: number;
  play?: string;
  sentAt: number;
}

/** What one action did (for the resume round). */
export type ActOutcome = "accepted" | "refused" | "lost" | "waiting" | "not-sent";

/** The counts and latencies of everything the players sent. */
export interface PlayersStats {
  /** Interactions the sandbox created (dispatched to the bot). */
  sent: number;
  /** Actions not sent: the sandbox had no bot session to dispatch to. */
  notSent: number;
  /** Answered by the bot before Discord's 3 s deadline. */
  answered: number;
  /** No answer (failed or given up after `giveUpMs`). */
  unanswered: number;
  /** Ephemeral refusals (stale button, already in a game, …) and apologies. */
  refusals: number;
  /** Apologies for an error on the bot's side ("Something went wrong"). */
  apologies: number;
  confirmedPicks: number;
  gamesStarted: number;
  /** Sandbox-measured ms from dispatch to callback, per answered interaction. */
  latencies: number[];
  byKind: Record<Kind, number>;
  /** Unanswered interactions per kind. */
  unansweredByKind: Record<Kind, number>;
}

/** The players. */
export interface Players {
  /** Plays for `ms` (bounded), then returns; interactions still in flight stay tracked. */
  run(ms: number): Promise<void>;
  /** Ends the current `run` at its next tick. */
  stop(): void;
  /**
   * Makes one move in every open game (accept, or a pick of a side that has not picked) and
   * waits for the answers: the games the bot let go on, out of those tried. A game whose board
   * was never posted (the bot died between saving it and replying) cannot be clicked: its
   * player asks for it with /blitz play, and the bot posts it (`reshown`, among `resumed`).
   */
  resumeRound(
    timeoutMs?: number,
  ): Promise<{ games: number; resumed: number; reshown: number; problems: string[] }>;
  /** Waits (bounded) until nothing is in flight. */
  settle(timeoutMs?: number): Promise<void>;
  /** Forgets what is in flight (the bot was killed: those answers will not come). */
  abandonInFlight(): number;
  inFlight(): number;
  readonly confirmed: readonly ConfirmedPick[];
  stats(): PlayersStats;
  /** The open game of a player, read from the database. */
  openGameOf(userId: string): GameRow | undefined;
  /** Opens the database again (after it was replaced). */
  reopenDb(): void;
  /** Every seat's user. */
  users(): SandboxUser[];
  /** Boards the bot posted for a /blitz play, of games whose board it had never posted. */
  boardsReshown(): number;
  close(): void;
}

const OPEN_GAME_SQL = `SELECT * FROM games WHERE (home_id = ? OR away_id = ?)
  AND status IN ('pending', 'active') ORDER BY id DESC LIMIT 1`;

/** The possession and the side on offense of a stored game. */
export function stateOf(row: GameRow) {
  const setup = createGameSetup({
    seed: row.seed,
    mode: row.mode,
    possessionsPerSide: row.possessions,
  });
  return replayGame(setup, decodeRecords(row.picks), row.forfeited_by ?? undefined);
}

/** Is `pick` in the stored game: resolved in `picks`, or pending for the current possession? */
export function pickIsStored(row: GameRow | undefined, pick: ConfirmedPick): boolean {
  if (!row) return false;
  const offense = (OFFENSE_PLAYS as readonly string[]).includes(pick.play);
  const records = decodeRecords(row.picks);
  if (pick.k < records.length) {
    const record = records[pick.k]!;
    return (offense ? record.offensePick : record.defensePick) === pick.play;
  }
  if (pick.k === records.length) {
    return (offense ? row.pending_offense : row.pending_defense) === pick.play;
  }
  return false;
}

/** Creates the players (users `load<n>` of the sandbox). */
export function createPlayers(options: PlayersOptions): Players {
  const { sandbox } = options;
  const driver = sandbox.driver;
  const random = prng(options.seed ?? 1);
  const [thinkMin, thinkMax] = options.thinkMs ?? [20, 120];
  const giveUpMs = options.giveUpMs ?? 4000;
  const offset = options.userOffset ?? 0;
  let n = offset;
  const seats: Seat[] = [];
  for (let i = 0; i < options.soloSeats; i++) {
    seats.push({ user: driver.loadUser(++n), challenger: false, busy: false, nextAt: 0 });
  }
  for (let i = 0; i < options.challengePairs; i++) {
    const a: Seat = { user: driver.loadUser(++n), challenger: true, busy: false, nextAt: 0 };
    const b: Seat = { user: driver.loadUser(++n), challenger: false, busy: false, nextAt: 0 };
    a.partner = b;
    b.partner = a;
    seats.push(a, b);
  }

  let db: DatabaseSync | undefined;
  const openDb = () => {
    db?.close();
    db = new DatabaseSync(options.dbPath, { readOnly: true });
    db.exec("PRAGMA busy_timeout = 2000");
  };
  const openGameOf = (userId: string): GameRow | undefined => {
    try {
      if (!db) openDb();
      return db!.prepare(OPEN_GAME_SQL).get(userId, userId) as unknown as GameRow | undefined;
    } catch {
      try {
        openDb();
      } catch { /* the file is being replaced or recovered: try again later */ }
      throw new Error("database not readable right now");
    }
  };

  const pending = new Map<string, Sent>();
  const waiters = new Map<string, (outcome: ActOutcome) => void>();
  const confirmed: ConfirmedPick[] = [];
  const stats: PlayersStats = {
    sent: 0,
    notSent: 0,
    answered: 0,
    unanswered: 0,
    refusals: 0,
    apologies: 0,
    confirmedPicks: 0,
    gamesStarted: 0,
    latencies: [],
    byKind: { play: 0, challenge: 0, accept: 0, pick: 0 },
    unansweredByKind: { play: 0, challenge: 0, accept: 0, pick: 0 },
  };
  /** Board message ids learned from the bot's replies (before the bot stored them). */
  const knownBoards = new Map<number, string>();
  let reshown = 0;
  /** What the bot answered to refused actions, by interaction id (for the resume round's report). */
  const refusals = new Map<string, string>();
  let stopped = false;
  const learnBoard = (interactionId: string, components: unknown) => {
    const text = JSON.stringify(components ?? []);
    const gameId = Number(/"(?:pick|accept):(\d+)/.exec(text)?.[1]);
    if (!Number.isInteger(gameId)) return;
    sandbox.client.interaction(interactionId).then((record) => {
      if (record.original?.id) knownBoards.set(gameId, record.original.id);
    }).catch(() => {});
  };
  /** Looks for a game's board among the channel's messages (the bot may not have stored it). */
  const findBoard = async (gameId: number) => {
    const messages = await sandbox.client.messages(sandbox.channelId);
    const found = messages.find((m) =>
      new RegExp(`"(?:pick|accept):${gameId}[:"]`).test(JSON.stringify(m.components ?? []))
    );
    if (found) knownBoards.set(gameId, found.id);
    return found?.id;
  };
  const think = () => thinkMin + random() * (thinkMax - thinkMin);
  const pickFrom = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  const finish = (id: string, sent: Sent, outcome: ActOutcome) => {
    pending.delete(id);
    sent.seat.busy = false;
    sent.seat.nextAt = performance.now() + think();
    waiters.get(id)?.(outcome);
    waiters.delete(id);
  };

  const unsubscribe = driver.onAnswer((id, callback, latencyMs) => {
    const sent = pending.get(id);
    if (!sent) return;
    stats.answered++;
    stats.latencies.push(latencyMs);
    const data = callback.data as { flags?: number; content?: string } | undefined;
    const ephemeral = ((data?.flags ?? 0) & 64) !== 0;
    const content = data?.content ?? "";
    let accepted: boolean;
    if (sent.kind === "pick") {
      accepted = callback.type === 7 || (ephemeral && /You picked/.test(content));
      if (accepted) {
        confirmed.push({
          gameId: sent.gameId!,
          k: sent.k!,
          play: sent.play!,
          userId: sent.seat.user.id,
          interactionId: id,
        });
        stats.confirmedPicks++;
      }
    } else if (sent.kind === "accept") {
      accepted = callback.type === 7;
    } else {
      accepted = callback.type === 4 && !ephemeral;
      if (accepted) {
        // A play sent for a game of the seat's (`gameId`) asked for its lost board.
        if (sent.gameId === undefined) stats.gamesStarted++;
        else reshown++;
        learnBoard(id, (data as { components?: unknown } | undefined)?.components);
      }
    }
    if (!accepted) {
      stats.refusals++;
      if (/went wrong/i.test(content)) stats.apologies++;
    }
    if (!accepted) refusals.set(id, content || `callback type ${callback.type}`);
    finish(id, sent, accepted ? "accepted" : "refused");
  });

  const send = (seat: Seat, kind: Kind, make: () => { id: string }, extra: Partial<Sent> = {}) => {
    let handle: { id: string };
    try {
      handle = make();
    } catch {
      stats.notSent++;
      seat.nextAt = performance.now() + 50;
      return undefined;
    }
    stats.sent++;
    stats.byKind[kind]++;
    seat.busy = true;
    pending.set(handle.id, { seat, kind, sentAt: performance.now(), ...extra });
    return handle.id;
  };

  /** The seat's next move, decided from the database; undefined: nothing to do now. */
  const act = (seat: Seat, resuming = false): string | undefined => {
    let game: GameRow | undefined;
    try {
      game = openGameOf(seat.user.id);
    } catch {
      seat.nextAt = performance.now() + 50;
      return undefined;
    }
    const userId = seat.user.id;
    if (!game) {
      if (!seat.partner) {
        return send(
          seat,
          "play",
          () => driver.command({ userId, name: "blitz", subcommand: "play" }),
        );
      }
      if (!seat.challenger) return undefined;
      try {
        if (openGameOf(seat.partner.user.id)) return undefined;
      } catch {
        return undefined;
      }
      return send(seat, "challenge", () =>
        driver.command({
          userId,
          name: "blitz",
          subcommand: "challenge",
          options: [
            { name: "opponent", value: seat.partner!.user.id },
            { name: "possessions", value: options.challengePossessions ?? 2 },
          ],
        }));
    }
    const messageId = game.message_id ?? knownBoards.get(game.id);
    if (!messageId) {
      // No board known: still being posted, or never posted (the bot was killed before it),
      // when /blitz play shows it.
      if (!resuming && Date.now() - game.created_at < 5000) return undefined;
      // A challenge's two players share one board: the challenger asks (had both asked, the
      // second would be told the game already has a board, rightly).
      if (game.mode === "challenge" && game.home_id !== userId) return undefined;
      return send(
        seat,
        "play",
        () => driver.command({ userId, name: "blitz", subcommand: "play" }),
        { gameId: game.id },
      );
    }
    if (game.status === "pending") {
      if (game.away_id !== userId) return undefined;
      return send(
        seat,
        "accept",
        () => driver.click({ userId, messageId, customId: `accept:${game.id}` }),
        { gameId: game.id },
      );
    }
    const state = stateOf(game);
    if (state.status !== "active" || state.offense === null) return undefined;
    const side = game.home_id === userId ? "home" : "away";
    const onOffense = state.offense === side;
    if (game.mode === "challenge") {
      const mine = onOffense ? game.pending_offense : game.pending_defense;
      if (mine) return undefined;
    }
    const play: string = onOffense
      ? pickFrom<OffensePlay>(OFFENSE_PLAYS)
      : pickFrom<string>(DEFENSE_PLAYS);
    const customId = `pick:${game.id}:${state.k}:${play}`;
    return send(
      seat,
      "pick",
      () => driver.click({ userId, messageId, customId, staleClient: true }),
      { gameId: game.id, k: state.k, play },
    );
  };

  const expire = () => {
    const now = performance.now();
    for (const [id, sent] of pending) {
      if (now - sent.sentAt > giveUpMs) {
        stats.unanswered++;
        stats.unansweredByKind[sent.kind]++;
        finish(id, sent, "lost");
      }
    }
  };

  const tick = () => {
    expire();
    const now = performance.now();
    for (const seat of seats) {
      if (seat.busy || now < seat.nextAt) continue;
      if (act(seat) === undefined && !seat.busy) seat.nextAt = Math.max(seat.nextAt, now + 20);
    }
  };

  return {
    async run(ms) {
      const end = performance.now() + ms;
      stopped = false;
      while (performance.now() < end && !stopped) {
        tick();
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async resumeRound(timeoutMs = 10_000) {
      const problems: string[] = [];
      const games = new Set<number>();
      const resumed = new Set<number>();
      const reshownGames = new Set<number>();
      const waits: Promise<void>[] = [];
      for (const seat of seats) {
        let game: GameRow | undefined;
        try {
          game = openGameOf(seat.user.id);
        } catch (error) {
          problems.push(`${seat.user.username}: ${(error as Error).message}`);
          continue;
        }
        if (!game) continue;
        games.add(game.id);
        if (seat.busy) continue;
        if (!game.message_id && !knownBoards.has(game.id)) {
          await findBoard(game.id).catch(() => undefined);
          seat.nextAt = 0;
        }
        const id = act(seat, true);
        if (!id) continue;
        const gameId = game.id;
        const kind = pending.get(id)?.kind;
        const lostBoard = kind === "play";
        waits.push(
          new Promise<ActOutcome>((resolve) => {
            waiters.set(id, resolve);
            setTimeout(() => resolve("lost"), timeoutMs);
          }).then((outcome) => {
            if (outcome === "accepted") {
              resumed.add(gameId);
              if (lostBoard) reshownGames.add(gameId);
            } else {
              const answer = refusals.get(id);
              problems.push(
                `game ${gameId}: ${seat.user.username}'s ${kind} was ${outcome}${
                  answer ? `: "${answer}"` : ""
                }`,
              );
            }
            refusals.delete(id);
          }),
        );
      }
      await Promise.all(waits);
      return {
        games: games.size,
        resumed: resumed.size,
        reshown: reshownGames.size,
        problems,
      };
    },
    async settle(timeoutMs = 6000) {
      const end = performance.now() + timeoutMs;
      while (pending.size > 0 && performance.now() < end) {
        expire();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    abandonInFlight() {
      const count = pending.size;
      for (const [id, sent] of [...pending]) {
        stats.unanswered++;
        stats.unansweredByKind[sent.kind]++;
        finish(id, sent, "lost");
      }
      return count;
    },
    stop: () => void (stopped = true),
    inFlight: () => pending.size,
    confirmed,
    stats: () => ({
      ...stats,
      latencies: [...stats.latencies],
      byKind: { ...stats.byKind },
      unansweredByKind: { ...stats.unansweredByKind },
    }),
    openGameOf,
    reopenDb: openDb,
    users: () => seats.map((s) => s.user),
    boardsReshown: () => reshown,
    close() {
      unsubscribe();
      db?.close();
      db = undefined;
    },
  };
}
