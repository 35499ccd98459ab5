/**
 * Simulated players: users `player1`…`playerN` who play Basketball Blitz in a channel through
 * the sandbox's own interaction machinery, as Discord clients would. They read boards and
 * challenges off the channel's messages (`player_view.ts`), think before they click, pick a
 * button of the row their side is on, start solo games and challenge each other, accept or
 * decline challenges addressed to them, now and then forfeit or let the shot clock run out.
 *
 * Every choice comes from a seeded random source per player, so a run with the same seed
 * makes the same choices given the same boards. All players together act at most
 * `actionsPerSecond` times a second; each has at most one interaction in flight; every timer
 * is cleared by `stop()`.
 *
 * @module
 */
import type { CommandRegistry } from "./commands.ts";
import { seedSnowflake } from "./ids.ts";
import type { Interactions } from "./interactions.ts";
import type { MessageStore } from "./messages.ts";
import {
  type BoardView,
  isOpenChallengeFrom,
  playsIn,
  readBoard,
  readChallengeFor,
} from "./player_view.ts";
import { createRandom, deriveSeed, type Random } from "./random.ts";
import type { World } from "./state.ts";
import type { CommandOptionInput, InteractionHandle, SandboxUser } from "./types.ts";

/** How the players behave; every field has a default. */
export interface PlayerOptions {
  /** Seed of their choices. Default 1. */
  seed?: number;
  /** Think time before a click or command, in ms: [min, max]. Default [700, 2500]. */
  thinkMs?: [number, number];
  /** Pause between two games of one player, in ms: [min, max]. Default [2000, 10000]. */
  idleMs?: [number, number];
  /** Actions per second of all players together. Default 4. */
  actionsPerSecond?: number;
  /** Chance per possession of letting the shot clock run out. Default 0.04. */
  shotClockMissChance?: number;
  /** Chance per possession of forfeiting the game. Default 0.01. */
  forfeitChance?: number;
  /** Chance that an idle player challenges another idle player rather than playing solo. Default 0.5. */
  challengeChance?: number;
  /** Chance of declining a challenge. Default 0.1. */
  declineChance?: number;
  /** Possessions per side in challenges: [min, max]. Default [2, 4]. */
  possessions?: [number, number];
}

/** What the players have done so far. */
export interface PlayerStats {
  running: boolean;
  players: number;
  channelId: string;
  gamesStarted: number;
  gamesFinished: number;
  commands: number;
  clicks: number;
  /** Interactions the bot answered. */
  answered: number;
  /** Interactions the bot did not answer in time ("This interaction failed"). */
  failures: number;
  /** Actions the sandbox refused (no bot session, a button gone, ...). */
  errors: number;
  challengesSent: number;
  challengesAccepted: number;
  challengesDeclined: number;
  forfeits: number;
  shotClockMisses: number;
  recentFailures: { at: number; player: string; what: string }[];
}

/** The players. */
export interface Players {
  /** Starts (or rescales to) `count` players with these options. */
  start(count: number, options?: PlayerOptions): PlayerStats;
  /** Changes the number of players, keeping the options. */
  scale(count: number): PlayerStats;
  /** Stops every player (their games run out on the shot clock). */
  stop(): PlayerStats;
  stats(): PlayerStats;
}

/** The most players the sandbox simulates. */
export const MAX_PLAYERS = 500;
const POLL_MS = 600;
const RECENT_MESSAGES = 80;

interface Player {
  user: SandboxUser;
  name: string;
  random: Random;
  timer?: ReturnType<typeof setTimeout>;
  busy: boolean;
  gameId?: string;
  boardId?: string;
  /** Per possession or challenge: "miss", "done", or the time a planned action is due. */
  plans: Map<string, "miss" | "done" | number>;
  idleUntil: number;
}

const DEFAULTS: Required<PlayerOptions> = {
  seed: 1,
  thinkMs: [700, 2500],
  idleMs: [2000, 10_000],
  actionsPerSecond: 4,
  shotClockMissChance: 0.04,
  forfeitChance: 0.01,
  challengeChance: 0.5,
  declineChance: 0.1,
  possessions: [2, 4],
};

/** Checks options sent to the control API; a string says what is wrong. */
export function checkPlayerOptions(raw: Record<string, unknown>): PlayerOptions | string {
  const ranges = ["thinkMs", "idleMs", "possessions"];
  const chances = ["shotClockMissChance", "forfeitChance", "challengeChance", "declineChance"];
  for (const [key, value] of Object.entries(raw)) {
    if (ranges.includes(key)) {
      const ok = Array.isArray(value) && value.length === 2 &&
        value.every((n) => Number.isInteger(n) && n >= 0 && n <= 600_000) && value[0] <= value[1];
      if (!ok) return `"${key}" must be [min, max], whole numbers with min <= max`;
      if (key === "possessions" && (value[0] < 1 || value[1] > 50)) {
        return `"possessions" must lie within [1, 50]`;
      }
    } else if (chances.includes(key)) {
      if (typeof value !== "number" || value < 0 || value > 1) {
        return `"${key}" must be a number from 0 to 1`;
      }
    } else if (key === "actionsPerSecond") {
      if (typeof value !== "number" || value <= 0 || value > 1000) {
        return `"actionsPerSecond" must be a number above 0, at most 1000`;
      }
    } else if (key === "seed") {
      if (!Number.isInteger(value)) return `"seed" must be a whole number`;
    } else return `Unknown player option "${key}"`;
  }
  return raw as PlayerOptions;
}

/** The user `player<n>`, the same on every run. */
export function playerUser(n: number): SandboxUser {
  return {
    id: seedSnowflake(1000 + n),
    username: `player${n}`,
    global_name: `Player ${n}`,
    discriminator: "0",
    avatar: null,
    bot: false,
    public_flags: 0,
  };
}

/** Creates the (stopped) players of `channelId`. */
export function createPlayers(deps: {
  world: World;
  messages: MessageStore;
  commands: CommandRegistry;
  interactions: Interactions;
  guildId: string;
  channelId: string;
  deadlineMs: number;
  /** Whether a bot session would receive the interactions. */
  botConnected: () => boolean;
}): Players {
  const { world, messages, interactions } = deps;
  let options: Required<PlayerOptions> = { ...DEFAULTS };
  let running = false;
  const players: Player[] = [];
  const started = new Set<string>();
  const finished = new Set<string>();
  const bucket = { tokens: 1, at: 0 };
  const stats: Omit<PlayerStats, "running" | "players" | "channelId"> = {
    gamesStarted: 0,
    gamesFinished: 0,
    commands: 0,
    clicks: 0,
    answered: 0,
    failures: 0,
    errors: 0,
    challengesSent: 0,
    challengesAccepted: 0,
    challengesDeclined: 0,
    forfeits: 0,
    shotClockMisses: 0,
    recentFailures: [],
  };

  const snapshot = (): PlayerStats => ({
    running,
    players: players.length,
    channelId: deps.channelId,
    ...stats,
    recentFailures: [...stats.recentFailures],
  });

  const between = (random: Random, [min, max]: [number, number]) => random.int(min, max);

  const schedule = (p: Player, ms: number) => {
    clearTimeout(p.timer);
    if (!running || !players.includes(p)) return;
    p.timer = setTimeout(() => {
      try {
        tick(p);
      } catch (error) {
        world.log("error", "Simulated player failed", { player: p.name, error: String(error) });
        schedule(p, POLL_MS * 5);
      }
    }, Math.max(10, ms));
  };

  /** Takes one action token; returns 0, or the ms to wait for one. */
  const takeToken = (): number => {
    const now = world.now();
    const rate = Math.max(0.01, options.actionsPerSecond);
    const capacity = Math.max(1, rate);
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
  };

  const failure = (p: Player, what: string) => {
    stats.recentFailures.push({ at: world.now(), player: p.name, what });
    if (stats.recentFailures.length > 20) stats.recentFailures.shift();
  };

  const perform = (p: Player, what: string, make: () => InteractionHandle) => {
    p.busy = true;
    let handle: InteractionHandle;
    try {
      handle = make();
    } catch (error) {
      stats.errors++;
      failure(p, `${what}: ${(error as Error).message}`);
      p.busy = false;
      schedule(p, POLL_MS * 2);
      return;
    }
    world.feed.waitFor(
      () => (interactions.get(handle.id)?.status ?? "failed") !== "pending" ? true : undefined,
      deps.deadlineMs + 1000,
    ).then(() => {
      const status = interactions.get(handle.id)?.status;
      if (status === "answered") stats.answered++;
      else {
        stats.failures++;
        failure(p, `${what}: no answer within ${deps.deadlineMs} ms`);
      }
    }).finally(() => {
      p.busy = false;
      schedule(p, POLL_MS);
    });
  };

  const command = (p: Player, subcommand: string, opts: CommandOptionInput[] = []) =>
    perform(p, `/blitz ${subcommand}`, () => {
      const handle = interactions.command({
        userId: p.user.id,
        name: "blitz",
        subcommand,
        options: opts,
        guildId: deps.guildId,
        channelId: deps.channelId,
      });
      stats.commands++;
      return handle;
    });

  const click = (p: Player, messageId: string, customId: string) =>
    perform(p, `click ${customId}`, () => {
      const handle = interactions.click({ userId: p.user.id, messageId, customId });
      stats.clicks++;
      return handle;
    });

  /** Plans or performs the next step on a board this player is in. */
  const onBoard = (p: Player, board: BoardView, now: number) => {
    if (!started.has(board.gameId)) {
      started.add(board.gameId);
      stats.gamesStarted++;
    }
    if (p.gameId !== board.gameId) p.plans.clear();
    p.gameId = board.gameId;
    p.boardId = board.messageId;
    if (!board.waitingFor.includes(p.name)) return schedule(p, POLL_MS);
    const key = `${board.gameId}:${board.possession}`;
    const plan = p.plans.get(key);
    if (plan === "miss" || plan === "done") return schedule(p, POLL_MS);
    if (plan === undefined) {
      if (p.random.chance(options.shotClockMissChance)) {
        p.plans.set(key, "miss");
        stats.shotClockMisses++;
        return schedule(p, POLL_MS);
      }
      const due = now + between(p.random, options.thinkMs);
      p.plans.set(key, due);
      return schedule(p, due - now);
    }
    if (now < plan) return schedule(p, plan - now);
    const wait = takeToken();
    if (wait > 0) return schedule(p, wait);
    p.plans.set(key, "done");
    if (p.random.chance(options.forfeitChance)) {
      stats.forfeits++;
      return command(p, "forfeit");
    }
    const row = board.onOffense === p.name ? board.offense : board.defense;
    if (row.length === 0) return schedule(p, POLL_MS);
    click(p, board.messageId, p.random.pick(row));
  };

  const tick = (p: Player) => {
    if (!running) return;
    if (p.busy) return schedule(p, POLL_MS / 2);
    if (!deps.botConnected() || !deps.commands.find("blitz", deps.guildId)) {
      return schedule(p, POLL_MS * 4);
    }
    const now = world.now();
    const recent = messages.recent(deps.channelId, RECENT_MESSAGES);

    // Is my last game over?
    if (p.gameId && p.boardId) {
      const last = messages.get(p.boardId);
      const view = last ? readBoard(last) : undefined;
      if (!view?.active) {
        if (!finished.has(p.gameId) && started.has(p.gameId)) {
          finished.add(p.gameId);
          stats.gamesFinished++;
        }
        p.gameId = undefined;
        p.boardId = undefined;
        p.plans.clear();
        p.idleUntil = now + between(p.random, options.idleMs);
      }
    }

    for (let i = recent.length - 1; i >= 0; i--) {
      const board = readBoard(recent[i]!);
      if (board?.active && playsIn(board, p.name)) return onBoard(p, board, now);
    }

    for (let i = recent.length - 1; i >= 0; i--) {
      const challenge = readChallengeFor(recent[i]!, p.user.id);
      if (!challenge) continue;
      const key = `challenge:${challenge.gameId}`;
      const plan = p.plans.get(key);
      if (plan === "done") break;
      if (plan === undefined || typeof plan !== "number") {
        const due = now + between(p.random, options.thinkMs);
        p.plans.set(key, due);
        return schedule(p, due - now);
      }
      if (now < plan) return schedule(p, plan - now);
      const wait = takeToken();
      if (wait > 0) return schedule(p, wait);
      p.plans.set(key, "done");
      const decline = p.random.chance(options.declineChance);
      if (decline) stats.challengesDeclined++;
      else stats.challengesAccepted++;
      return click(p, challenge.messageId, decline ? challenge.decline : challenge.accept);
    }

    if (recent.some((m) => isOpenChallengeFrom(m, p.name))) return schedule(p, POLL_MS * 2);
    if (now < p.idleUntil) return schedule(p, p.idleUntil - now);
    const wait = takeToken();
    if (wait > 0) return schedule(p, wait);
    p.idleUntil = now + between(p.random, options.idleMs);
    const idle = players.filter((o) => o !== p && !o.gameId && !o.busy);
    if (idle.length > 0 && p.random.chance(options.challengeChance)) {
      const opponent = p.random.pick(idle);
      stats.challengesSent++;
      return command(p, "challenge", [
        { name: "opponent", value: opponent.user.id },
        { name: "possessions", value: between(p.random, options.possessions) },
      ]);
    }
    command(p, "play");
  };

  const resize = (count: number) => {
    const target = Math.max(0, Math.min(MAX_PLAYERS, Math.floor(count)));
    while (players.length > target) clearTimeout(players.pop()!.timer);
    while (players.length < target) {
      const n = players.length + 1;
      const user = playerUser(n);
      world.addMember(user, deps.guildId);
      const random = createRandom(deriveSeed(options.seed, user.username));
      const p: Player = {
        user,
        name: user.global_name ?? user.username,
        random,
        busy: false,
        plans: new Map(),
        idleUntil: world.now() + between(random, [0, options.idleMs[1]]),
      };
      players.push(p);
      if (running) schedule(p, 0);
    }
  };

  return {
    start(count, next = {}) {
      options = { ...DEFAULTS, ...options, ...next };
      running = true;
      resize(count);
      for (const p of players) if (!p.busy) schedule(p, 0);
      world.log("info", "Simulated players started", { players: players.length });
      return snapshot();
    },
    scale(count) {
      resize(count);
      return snapshot();
    },
    stop() {
      running = false;
      for (const p of players) clearTimeout(p.timer);
      return snapshot();
    },
    stats: snapshot,
  };
}
