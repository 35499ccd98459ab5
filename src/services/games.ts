/**
 * The game service: starts, plays and ends games on top of the pure engine (`src/game`) and
 * the games repository. Every accepted pick is committed before the caller can confirm it.
 * Shot clocks and challenge expiry run on a deadline queue driven by the injected clock;
 * open games are reloaded on start and deadlines that passed meanwhile are applied.
 */
import {
  applyPossession,
  createGameSetup,
  decodeRecords,
  DEFENSE_PLAYS,
  type DefensePlay,
  encodeRecords,
  forfeit as forfeitState,
  type GameSetup,
  type GameState,
  HOUSE_SIDE,
  housePick,
  isDefensePlay,
  isOffensePlay,
  OFFENSE_PLAYS,
  type OffensePlay,
  type PossessionResult,
  ratingsAfterGame,
  recordsOf,
  replayGame,
  type Side,
  START_RATING,
} from "../game/mod.ts";
import type { Clock } from "../clock.ts";
import type { GameRow, GamesRepo, PlayerResult } from "../store/games_repo.ts";
import { createDeadlineQueue, type Timers } from "../scheduler/deadlines.ts";
import { GameRuleError } from "./game_errors.ts";

/** A game as the bot sees it: the stored row, its setup and its rebuilt state. */
export interface LiveGame {
  row: GameRow;
  setup: GameSetup;
  state: GameState;
}

/** Someone acting in a game. */
export interface Actor {
  id: string;
  name: string;
  bot?: boolean;
}

/** What changed in a game without a click (shot clock, expiry): the bot redraws the board. */
export type GameUpdateCause = "shot_clock" | "challenge_expired";

/** Options for {@link createGameService}. */
export interface GameServiceOptions {
  repo: GamesRepo;
  clock: Clock;
  timers?: Timers;
  /** Shot clock for a guild, in ms (per-guild setting, else the default). */
  shotClockMs: (guildId: string | null) => number;
  /** Possessions per side of new games in a guild (per-guild setting), if it set one. */
  possessionsFor?: (guildId: string | null) => number | undefined;
  /** How long a challenge waits for an answer, in ms (default 5 minutes). */
  challengeTtlMs?: number;
  /** Seed source (default: crypto). */
  newSeed?: () => number;
  onUpdate?: (game: LiveGame, cause: GameUpdateCause, result?: PossessionResult) => void;
  /** Called once for every game that ends (completed, abandoned or forfeited). */
  onFinished?: (
    mode: "solo" | "challenge",
    status: "completed" | "abandoned" | "forfeited",
  ) => void;
  onAction?: (kind: string) => void;
  onError?: (error: unknown, gameId: string) => void;
}

/** The game service. */
export interface GameService {
  /** Loads open games from the store; returns how many. Past deadlines run on `start()`. */
  load(): number;
  start(): void;
  stop(): void;
  startSolo(input: { player: Actor; guildId: string | null; channelId: string | null }): LiveGame;
  challenge(input: {
    challenger: Actor;
    opponent: Actor;
    possessions?: number;
    guildId: string | null;
    channelId: string | null;
  }): LiveGame;
  respond(input: { gameId: number; player: Actor; accept: boolean }): LiveGame;
  pick(input: { gameId: number; k: number; play: string; player: Actor }): PickOutcome;
  forfeit(playerId: string): LiveGame;
  setBoardMessage(gameId: number, channelId: string, messageId: string): void;
  get(gameId: number): LiveGame | undefined;
  openGameOf(playerId: string): LiveGame | undefined;
  activeCount(): number;
  /** Ids of every open (pending or active) game. */
  openGameIds(): number[];
  openInGuild(guildId: string, limit?: number): LiveGame[];
  /** Which side a player is in a game, if any. */
  sideOf(game: LiveGame, playerId: string): Side | undefined;
  /** A player's display name as last seen ("Unknown player" if never seen). */
  playerName(playerId: string): string;
}

/** The result of an accepted pick. */
export interface PickOutcome {
  game: LiveGame;
  side: Side;
  play: OffensePlay | DefensePlay;
  /** The possession, when this pick completed it. */
  resolved?: PossessionResult;
}

const CHALLENGE_TTL_MS = 5 * 60_000;
const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** Player names the game service keeps in memory, at most (about 100 B each). */
export const NAME_CACHE_SIZE = 10_000;

/** Creates the service. */
export function createGameService(options: GameServiceOptions): GameService {
  const { repo, clock } = options;
  const live = new Map<number, LiveGame>();
  /**
   * Player names by id, as this service last wrote or read them: every board drawn names its
   * players, and a read from the store for each was a fifth of a click's own work. Only this
   * service writes names (`touchPlayer`), so the cache is never behind; it is bounded, oldest out.
   */
  const names = new Map<string, string>();
  const rememberName = (playerId: string, name: string) => {
    names.delete(playerId);
    names.set(playerId, name);
    if (names.size > NAME_CACHE_SIZE) names.delete(names.keys().next().value!);
  };
  const touchPlayer = (player: Actor, now: number) => {
    repo.touchPlayer(player.id, player.name, now);
    rememberName(player.id, player.name);
  };
  const newSeed = options.newSeed ?? randomSeed;
  const act = (kind: string) => options.onAction?.(kind);

  const toLive = (row: GameRow): LiveGame => {
    const setup = createGameSetup({
      seed: row.seed,
      mode: row.mode,
      possessionsPerSide: row.possessions,
    });
    const state = replayGame(setup, decodeRecords(row.picks), row.forfeited_by ?? undefined);
    return { row, setup, state };
  };
  const track = (game: LiveGame): LiveGame => {
    if (game.row.status === "pending" || game.row.status === "active") live.set(game.row.id, game);
    else live.delete(game.row.id);
    return game;
  };
  /** Reads a game back from the store and replays it (for the rarer moves: start, accept, forfeit). */
  const refresh = (id: number): LiveGame => track(toLive(repo.getGame(id)!));
  /**
   * The game after `fields` were saved at `now`, as the store now holds it, without reading it
   * back or replaying it: a pick's `state` is already the engine's next state. Reading and
   * replaying the whole game on every pick made each pick's objects outlive V8's young
   * generation, and that garbage set the pace of its major collections (docs/DECISIONS.md D28).
   */
  const advance = (
    game: LiveGame,
    fields: Partial<GameRow>,
    now: number,
    state: GameState = game.state,
  ): LiveGame => {
    const row: GameRow = { ...game.row, updated_at: now };
    for (const [key, value] of Object.entries(fields)) {
      // The store skips undefined fields too (games_repo.ts `setClause`).
      if (value !== undefined) (row as unknown as Record<string, unknown>)[key] = value;
    }
    return track({ row, setup: game.setup, state });
  };
  const deadlines = createDeadlineQueue({
    clock,
    timers: options.timers,
    onDue: (key) => onDeadline(Number(key)),
    onError: options.onError,
  });
  const schedule = (game: LiveGame) => {
    if (
      game.row.deadline !== null && (game.row.status === "active" || game.row.status === "pending")
    ) {
      deadlines.schedule(String(game.row.id), game.row.deadline);
    } else deadlines.cancel(String(game.row.id));
  };

  const sideOf = (game: LiveGame, playerId: string): Side | undefined =>
    game.row.home_id === playerId ? "home" : game.row.away_id === playerId ? "away" : undefined;

  const ensureFree = (player: Actor, refusal: "already_in_game" | "opponent_busy") => {
    const open = repo.openGameOf(player.id);
    if (!open) return;
    throw new GameRuleError(
      refusal,
      refusal === "already_in_game"
        ? `You already have a game going (#${open.id}). ${
          open.message_id ? "Finish it" : "Its board was never posted: /blitz play shows it"
        }, or end it with /blitz forfeit.`
        : `${player.name} is already in a game.`,
    );
  };

  /** Resolves the current possession with the picks given, saves it, and finishes the game if it ended. */
  const resolve = (
    game: LiveGame,
    offense: OffensePlay | null,
    defense: DefensePlay | null,
  ): LiveGame => {
    const now = clock.now();
    const state = applyPossession(game.setup, game.state, {
      offensePick: offense,
      defensePick: defense,
    });
    const fields: Partial<GameRow> = {
      picks: encodeRecords(recordsOf(state)),
      pending_offense: null,
      pending_defense: null,
      home_score: state.scores.home,
      away_score: state.scores.away,
      deadline: state.status === "active" ? now + game.row.shot_clock_ms : null,
    };
    let saved = fields;
    if (state.status === "active") {
      repo.updateGame(game.row.id, fields, now);
    } else {
      saved = finish(game, state, fields, now);
    }
    const updated = advance(game, saved, now, state);
    schedule(updated);
    return updated;
  };

  /** Saves a finished game and its players' results; returns the game's fields it wrote. */
  const finish = (
    game: LiveGame,
    state: GameState,
    fields: Partial<GameRow>,
    now: number,
  ): Partial<GameRow> => {
    const status = state.status as "completed" | "abandoned" | "forfeited";
    const results: PlayerResult[] = [];
    if (status !== "abandoned") {
      const home = repo.getPlayer(game.row.home_id);
      const away = game.row.away_id ? repo.getPlayer(game.row.away_id) : undefined;
      const ratings = ratingsAfterGame(game.setup, state, {
        home: home?.rating ?? START_RATING,
        away: away?.rating ?? START_RATING,
      });
      const add = (side: Side, playerId: string | null) => {
        if (!playerId) return;
        const other: Side = side === "home" ? "away" : "home";
        results.push({
          playerId,
          rating: ratings[side],
          won: state.winner === side,
          lost: state.winner === other,
          pointsFor: state.scores[side],
          pointsAgainst: state.scores[other],
        });
      };
      add("home", game.row.home_id);
      add("away", game.row.away_id);
    }
    const saved: Partial<GameRow> = {
      ...fields,
      status,
      winner: state.winner,
      forfeited_by: state.forfeitedBy,
      deadline: null,
    };
    repo.finishGame(game.row.id, saved, results, now);
    options.onFinished?.(game.row.mode, status);
    return { ...saved, finished_at: now };
  };

  const onDeadline = (id: number) => {
    const game = live.get(id);
    if (!game) return;
    if (game.row.status === "pending") {
      repo.updateGame(
        id,
        { status: "expired", deadline: null, finished_at: clock.now() },
        clock.now(),
      );
      const expired = refresh(id);
      act("challenge_expired");
      options.onUpdate?.(expired, "challenge_expired");
      return;
    }
    const k = game.state.k;
    const offense = game.row.pending_offense as OffensePlay | null;
    let defense = game.row.pending_defense as DefensePlay | null;
    if (game.row.mode === "solo" && game.state.offense !== HOUSE_SIDE) {
      defense = housePick(game.row.seed, k, "defense");
    }
    const offensePick = game.row.mode === "solo" && game.state.offense === HOUSE_SIDE
      ? housePick(game.row.seed, k, "offense")
      : offense;
    const updated = resolve(game, offensePick, defense);
    act("shot_clock");
    const result = updated.state.log[updated.state.log.length - 1];
    options.onUpdate?.(updated, "shot_clock", result);
  };

  return {
    load() {
      live.clear();
      names.clear();
      for (const row of repo.openGames()) {
        const game = toLive(row);
        live.set(row.id, game);
        schedule(game);
      }
      return live.size;
    },
    start: () => deadlines.start(),
    playerName(playerId) {
      const known = names.get(playerId);
      if (known !== undefined) return known;
      const name = repo.getPlayer(playerId)?.name;
      if (name === undefined) return "Unknown player";
      rememberName(playerId, name);
      return name;
    },
    stop: () => deadlines.stop(),
    sideOf,

    startSolo({ player, guildId, channelId }) {
      const now = clock.now();
      touchPlayer(player, now);
      ensureFree(player, "already_in_game");
      const shotClock = options.shotClockMs(guildId);
      const row = repo.insertGame({
        guild_id: guildId,
        channel_id: channelId,
        mode: "solo",
        status: "active",
        home_id: player.id,
        away_id: null,
        seed: newSeed(),
        possessions: options.possessionsFor?.(guildId) ?? 8,
        shot_clock_ms: shotClock,
        deadline: now + shotClock,
      }, now);
      const game = refresh(row.id);
      schedule(game);
      act("start_solo");
      return game;
    },

    challenge({ challenger, opponent, possessions, guildId, channelId }) {
      if (challenger.id === opponent.id) {
        throw new GameRuleError(
          "self_challenge",
          "You can't challenge yourself. Try /blitz play to face the House.",
        );
      }
      if (opponent.bot) {
        throw new GameRuleError("bot_opponent", `${opponent.name} is a bot and can't play.`);
      }
      if (
        possessions !== undefined &&
        (!Number.isInteger(possessions) || possessions < 1 || possessions > 50)
      ) {
        throw new GameRuleError("bad_input", "Possessions must be a whole number from 1 to 50.");
      }
      const now = clock.now();
      touchPlayer(challenger, now);
      touchPlayer(opponent, now);
      ensureFree(challenger, "already_in_game");
      ensureFree(opponent, "opponent_busy");
      const row = repo.insertGame({
        guild_id: guildId,
        channel_id: channelId,
        mode: "challenge",
        status: "pending",
        home_id: challenger.id,
        away_id: opponent.id,
        seed: newSeed(),
        possessions: possessions ?? options.possessionsFor?.(guildId) ?? 8,
        shot_clock_ms: options.shotClockMs(guildId),
        deadline: now + (options.challengeTtlMs ?? CHALLENGE_TTL_MS),
      }, now);
      const game = refresh(row.id);
      schedule(game);
      act("challenge");
      return game;
    },

    respond({ gameId, player, accept }) {
      const game = live.get(gameId);
      if (!game || game.row.status !== "pending") {
        throw new GameRuleError("game_over", "This challenge is no longer open.");
      }
      if (game.row.away_id !== player.id) {
        throw new GameRuleError("not_challenged", "This challenge is for someone else.");
      }
      const now = clock.now();
      if (accept) {
        const busy = repo.openGameOf(player.id);
        if (busy && busy.id !== gameId) {
          throw new GameRuleError(
            "already_in_game",
            `You already have a game going (#${busy.id}).`,
          );
        }
        repo.updateGame(gameId, { status: "active", deadline: now + game.row.shot_clock_ms }, now);
      } else {
        repo.updateGame(gameId, { status: "declined", deadline: null, finished_at: now }, now);
      }
      const updated = refresh(gameId);
      schedule(updated);
      act(accept ? "accept" : "decline");
      return updated;
    },

    pick({ gameId, k, play, player }) {
      const game = live.get(gameId);
      if (!game) throw new GameRuleError("game_over", "This game is over.");
      const side = sideOf(game, player.id);
      if (!side) {
        throw new GameRuleError(
          "not_your_game",
          "This isn't your game. Start your own with /blitz play.",
        );
      }
      if (game.row.status === "pending") {
        throw new GameRuleError("not_accepted", "The challenge hasn't been accepted yet.");
      }
      if (k !== game.state.k) {
        throw new GameRuleError(
          "stale_button",
          "That button is from an earlier possession; use the current board.",
        );
      }
      const onOffense = game.state.offense === side;
      if (onOffense && !isOffensePlay(play)) {
        throw new GameRuleError(
          "wrong_role",
          "You're on offense this possession: pick Drive, Mid-range or Three.",
        );
      }
      if (!onOffense && !isDefensePlay(play)) {
        throw new GameRuleError(
          "wrong_role",
          "You're on defense this possession: pick Man, Zone or Press.",
        );
      }
      const pending = onOffense ? game.row.pending_offense : game.row.pending_defense;
      if (pending) {
        throw new GameRuleError("already_picked", `You already picked for this possession.`);
      }
      act("pick");
      if (game.row.mode === "solo") {
        const offense = onOffense ? play as OffensePlay : housePick(game.row.seed, k, "offense");
        const defense = onOffense ? housePick(game.row.seed, k, "defense") : play as DefensePlay;
        const updated = resolve(game, offense, defense);
        return { game: updated, side, play: play as OffensePlay, resolved: updated.state.log[k] };
      }
      const otherPending = onOffense ? game.row.pending_defense : game.row.pending_offense;
      if (!otherPending) {
        const now = clock.now();
        const fields = onOffense ? { pending_offense: play } : { pending_defense: play };
        repo.updateGame(gameId, fields, now);
        return { game: advance(game, fields, now), side, play: play as OffensePlay };
      }
      const offense = (onOffense ? play : otherPending) as OffensePlay;
      const defense = (onOffense ? otherPending : play) as DefensePlay;
      const updated = resolve(game, offense, defense);
      return { game: updated, side, play: play as OffensePlay, resolved: updated.state.log[k] };
    },

    forfeit(playerId) {
      const row = repo.openGameOf(playerId);
      if (!row) {
        throw new GameRuleError("no_game", "You have no game going. Start one with /blitz play.");
      }
      const game = live.get(row.id) ?? toLive(row);
      const now = clock.now();
      if (game.row.status === "pending") {
        repo.updateGame(row.id, { status: "declined", deadline: null, finished_at: now }, now);
      } else {
        const side = sideOf(game, playerId)!;
        finish(game, forfeitState(game.state, side), {
          pending_offense: null,
          pending_defense: null,
        }, now);
      }
      const updated = refresh(row.id);
      schedule(updated);
      act("forfeit");
      return updated;
    },

    setBoardMessage(gameId, channelId, messageId) {
      repo.updateGame(gameId, { channel_id: channelId, message_id: messageId }, clock.now());
      const game = live.get(gameId);
      if (game) game.row = { ...game.row, channel_id: channelId, message_id: messageId };
    },
    get: (gameId) =>
      live.get(gameId) ?? (() => {
        const row = repo.getGame(gameId);
        return row ? toLive(row) : undefined;
      })(),
    openGameOf: (playerId) => {
      const row = repo.openGameOf(playerId);
      return row ? live.get(row.id) ?? toLive(row) : undefined;
    },
    activeCount: () => live.size,
    openGameIds: () => [...live.keys()],
    openInGuild: (guildId, limit = 10) =>
      repo.openGamesInGuild(guildId, limit).map((row) => live.get(row.id) ?? toLive(row)),
  };
}

/** Every play a button can carry. */
export const ALL_PLAYS: readonly string[] = [...OFFENSE_PLAYS, ...DEFENSE_PLAYS];
