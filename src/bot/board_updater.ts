/**
 * Keeps each game's board message in step with the game when no click is there to carry the
 * edit (shot clock, expiry, forfeit by command, a pick confirmed ephemerally). Edits are
 * coalesced per game and sent one at a time per channel, each drawn from the game as it is
 * when the edit is sent: Discord allows about one message edit a second per channel, and an
 * edit drawn earlier and held in discordeno's route queue would land with an older score
 * (docs/RELIABILITY.md). An edit that lands after the game moved on anyway (a 429 retry
 * resends its body) is followed by another.
 */
import type { RestManager } from "@discordeno/bot";
import type { GameService, LiveGame } from "../services/games.ts";
import type { Logger } from "../log.ts";
import type { InteractionContext } from "./context.ts";
import { renderBoard, renderChallenge, sideNames } from "./board.ts";
import { inDiscordsFormat } from "./rest_send.ts";

/** The board updater. */
export interface BoardUpdater {
  /**
   * Learns the board's message id from the reply just sent for `game`: `sent` when Discord's
   * answer to the reply named the message, else by asking for the original response.
   */
  remember(
    ctx: InteractionContext,
    game: LiveGame,
    sent?: { id: string; channel_id: string },
  ): Promise<void>;
  /** Redraws the board of `gameId` soon (coalesced). */
  refresh(gameId: number): void;
  /** Edits still to send. */
  pending(): number;
  /** Waits for the edits under way (shutdown). */
  flush(): Promise<void>;
}

/** The message body for a game in whatever state it is. */
export function renderGameMessage(game: LiveGame, games: GameService) {
  const names = sideNames(game, games.playerName);
  const challengeOver = game.row.mode === "challenge" && game.state.k === 0 &&
    (game.row.status === "pending" || game.row.status === "declined" ||
      game.row.status === "expired");
  return challengeOver ? renderChallenge(game, names) : renderBoard(game, names);
}

/**
 * Whether `shown`, a board just drawn from `drawnFrom`, is what the game looks like now. A board
 * edit that lands after the game moved on must be followed by another one:
 * {@link BoardUpdater.refresh}. Every move gives the game a new `LiveGame` (services/games.ts),
 * so while the service still holds `drawnFrom` nothing moved and the board need not be drawn
 * again to compare: that second drawing and its two JSON strings were about a tenth of what a
 * click allocated.
 */
export function showsLatest(
  games: GameService,
  gameId: number,
  shown: unknown,
  drawnFrom: LiveGame,
): boolean {
  const game = games.get(gameId);
  if (!game || game === drawnFrom) return true;
  return JSON.stringify(renderGameMessage(game, games)) === JSON.stringify(shown);
}

/** Creates the updater. */
export function createBoardUpdater(
  deps: { rest: RestManager; games: GameService; logger: Logger },
): BoardUpdater {
  /** Games whose board must be redrawn, by game id, with the channel the board is in. */
  const dirty = new Map<number, string>();
  /** One edit at a time per channel, drawn when it is sent: see the module doc. */
  const running = new Map<string, Promise<void>>();
  const nextIn = (channelId: string): number | undefined => {
    for (const [gameId, channel] of dirty) if (channel === channelId) return gameId;
    return undefined;
  };

  const send = async (channelId: string) => {
    for (let gameId = nextIn(channelId); gameId !== undefined; gameId = nextIn(channelId)) {
      dirty.delete(gameId);
      const game = deps.games.get(gameId);
      if (!game?.row.channel_id || !game.row.message_id) continue;
      const message = renderGameMessage(game, deps.games);
      try {
        await deps.rest.editMessage(
          game.row.channel_id,
          game.row.message_id,
          inDiscordsFormat(message) as Parameters<RestManager["editMessage"]>[2],
        );
      } catch (error) {
        deps.logger.warn("Could not update the board of game {gameId}: {error}", { gameId, error });
        continue;
      }
      // A 429 retry sends the body drawn before it: if the game moved on meanwhile, this edit
      // may have overwritten a newer board (a click's own update), so draw the current one.
      if (!showsLatest(deps.games, gameId, message, game)) dirty.set(gameId, channelId);
    }
  };
  const run = (channelId: string) => {
    if (running.has(channelId)) return;
    const task = send(channelId).catch((error) => {
      // Only when the store is gone under it (a stop that did not wait for the edits).
      deps.logger.warn("Board updates of channel {channelId} stopped: {error}", {
        channelId,
        error,
      });
    }).finally(() => {
      running.delete(channelId);
      if (nextIn(channelId) !== undefined) run(channelId);
    });
    running.set(channelId, task);
  };

  return {
    async remember(ctx, game, sent) {
      try {
        const message = sent ?? await ctx.original();
        deps.games.setBoardMessage(game.row.id, message.channel_id, message.id);
      } catch (error) {
        deps.logger.warn("Could not learn the board message of game {gameId}: {error}", {
          gameId: game.row.id,
          error,
        });
      }
    },
    refresh(gameId) {
      const channelId = deps.games.get(gameId)?.row.channel_id ?? "";
      dirty.set(gameId, channelId);
      run(channelId);
    },
    pending: () => dirty.size + running.size,
    async flush() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
