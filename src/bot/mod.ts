/**
 * The Discord bot: connection, command sync, and the handlers for every command and button.
 * The only folder that imports discordeno.
 */
import type { Clock } from "../clock.ts";
import { log } from "../log.ts";
import type { BlitzMetrics } from "../ops/metrics.ts";
import type { GameService } from "../services/games.ts";
import type { GamesRepo } from "../store/games_repo.ts";
import { BLITZ_COMMAND, createBlitzCommand } from "./blitz_command.ts";
import { type BoardUpdater, createBoardUpdater } from "./board_updater.ts";
import {
  type CommandDefinition,
  type CommandSyncMemory,
  PING_COMMAND,
  syncCommands,
} from "./commands.ts";
import { createDiscordConnection, type DiscordConnection } from "./discord.ts";
import { createGameButtons } from "./game_buttons.ts";
import { createPingHandler } from "./ping.ts";
import {
  createInteractionRouter,
  type InteractionHandler,
  type InteractionRouter,
  slimInteraction,
} from "./router.ts";
import type { RawInteraction } from "./types.ts";
import { createUserRateLimiter } from "./user_rate_limit.ts";
import { ADMIN_COMMAND, type AdminCommandDeps, createAdminCommand } from "./admin_command.ts";
import { type CommandGuardDeps, guardGameHandler, guardGameHandlers } from "./admin_guard.ts";
import type { OutgoingMessage } from "./types.ts";

export { GatewayFatalError, TokenRejectedError } from "./discord.ts";
export type { BoardUpdater } from "./board_updater.ts";

/** Every slash command Blitz registers, in order. */
export const COMMAND_DEFINITIONS: readonly CommandDefinition[] = [
  PING_COMMAND,
  BLITZ_COMMAND,
  ADMIN_COMMAND,
];

/** The operations hooks: `/admin`, the gate before game handlers, error and latency tracking. */
export interface BotOpsDeps {
  admin: AdminCommandDeps;
  guard: CommandGuardDeps;
  onError: (error: unknown, label: string) => void;
  onFinished: (label: string, seconds: number, outcome: string) => void;
}

/** What the bot needs from the rest of Blitz. */
export interface BotDeps {
  token: string;
  apiUrl: string;
  gatewayUrl?: string;
  devGuildId?: string;
  /** Deadline of one REST attempt, in ms (default 15 s). */
  restTimeoutMs?: number;
  /** Discord REST requests in flight at once, at most (default 32). */
  restMaxInFlight?: number;
  clock: Clock;
  metrics: BlitzMetrics;
  games: GameService;
  gamesRepo: GamesRepo;
  rateLimit: { burst: number; perSecond: number };
  /** Wraps each interaction (the pause gate of an in-process restore). */
  runInteraction?: (handle: () => Promise<void>) => Promise<void>;
  onFatal: (error: Error) => void;
  /** Operations: `/admin`, feature flags, maintenance mode, error tracking. */
  ops?: BotOpsDeps;
  /** Remembers the registered commands so an unchanged set is not sent again on start. */
  commandMemory?: CommandSyncMemory;
}

/** A connected bot. */
export interface Bot {
  readonly connection: DiscordConnection;
  readonly router: InteractionRouter;
  readonly boards: BoardUpdater;
  /** Posts a message to a channel (alerts, reports, notices). */
  post(channelId: string, message: OutgoingMessage): Promise<void>;
  /** Checks the token, connects the gateway (resolves on READY) and syncs the commands. */
  start(): Promise<{ username: string; synced: number; commandsChanged: boolean }>;
  stop(): Promise<void>;
}

/** The longest a stop waits for board edits still to send, in ms. */
const BOARD_FLUSH_MS = 3000;

/** Creates the bot's parts without connecting (so the app can register its stop first). */
export function createBot(deps: BotDeps): Bot {
  const logger = log("bot");
  const run = deps.runInteraction ?? ((handle) => handle());
  const late: { router?: InteractionRouter } = {};
  const connection = createDiscordConnection({
    token: deps.token,
    apiUrl: deps.apiUrl,
    gatewayUrl: deps.gatewayUrl,
    restTimeoutMs: deps.restTimeoutMs,
    restMaxInFlight: deps.restMaxInFlight,
    logger: log("discord"),
    onDispatch: (payload) => {
      const active = late.router;
      if (payload.t !== "INTERACTION_CREATE" || !active) return;
      const interaction = slimInteraction(payload.d as RawInteraction);
      run(() => active.handle(interaction)).catch((error) =>
        logger.error("Interaction failed outside its handler: {error}", { error })
      );
    },
    onFatal: deps.onFatal,
  });
  const boards = createBoardUpdater({ rest: connection.rest, games: deps.games, logger });
  const guarded = (handler: InteractionHandler) =>
    deps.ops ? guardGameHandler(deps.ops.guard, handler) : handler;
  const limiter = createUserRateLimiter({ clock: deps.clock, ...deps.rateLimit });
  const router = createInteractionRouter({
    rest: connection.rest,
    logger,
    metrics: deps.metrics,
    clock: deps.clock,
    rateLimit: (userId) => limiter.take(userId),
    commands: {
      ping: createPingHandler(() => connection.latencyMs()),
      blitz: guarded(createBlitzCommand({
        games: deps.games,
        repo: deps.gamesRepo,
        logger,
        rememberBoard: (ctx, game, sent) => boards.remember(ctx, game, sent),
        refreshBoard: (gameId) => boards.refresh(gameId),
      })),
      ...(deps.ops ? { admin: createAdminCommand(deps.ops.admin) } : {}),
    },
    components: deps.ops
      ? guardGameHandlers(deps.ops.guard, createGameButtons({ games: deps.games, boards }))
      : createGameButtons({ games: deps.games, boards }),
    onError: deps.ops?.onError,
    onFinished: deps.ops?.onFinished,
  });
  late.router = router;
  return {
    connection,
    router,
    boards,
    async post(channelId, message) {
      await connection.rest.sendMessage(
        channelId,
        message as Parameters<typeof connection.rest.sendMessage>[1],
      );
    },
    async start() {
      const me = await connection.start();
      const synced = await syncCommands(
        connection.rest,
        COMMAND_DEFINITIONS,
        deps.devGuildId,
        deps.commandMemory,
      );
      return { username: me.username, synced: synced.count, commandsChanged: synced.changed };
    },
    async stop() {
      // Board edits may be queued behind Discord's per-channel edit limit: a stop waits for
      // them only so long, so that it ends well within the process's stop budget.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flushed = await Promise.race([
        boards.flush().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), BOARD_FLUSH_MS))),
      ]);
      clearTimeout(timer);
      if (!flushed) {
        logger.warn("Stopping with {count} board updates not sent (Discord rate limits)", {
          count: boards.pending(),
        });
      }
      await connection.stop();
    },
  };
}
