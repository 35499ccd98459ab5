/**
 * Keeps each game's board message in step with the game when no click is there to carry the
 * edit (shot clock, expiry, forfeit by command, a pick confirmed ephemerally). Edits are
 * coalesced per game and render the latest state when they are sent, so a late edit never
 * shows an older score.
 */
import type { RestManager } from "@discordeno/bot";
import type { GameService, LiveGame } from "../services/games.ts";
import type { Logger } from "../log.ts";
import type { InteractionContext } from "./context.ts";
import { renderBoard, renderChallenge, sideNames } from "./board.ts";

/** The board updater. */
export interface BoardUpdater {
  /** Learns the board's message id from the reply just sent for `game`. */
  remember(ctx: InteractionContext, game: LiveGame): Promise<void>;
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

/** Creates the updater. */
export function createBoardUpdater(
  deps: { rest: RestManager; games: GameService; logger: Logger },
): BoardUpdater {
  const dirty = new Set<number>();
  const running = new Map<number, Promise<void>>();

  const send = async (gameId: number) => {
    while (dirty.has(gameId)) {
      dirty.delete(gameId);
      const game = deps.games.get(gameId);
      if (!game?.row.channel_id || !game.row.message_id) return;
      try {
        await deps.rest.editMessage(
          game.row.channel_id,
          game.row.message_id,
          renderGameMessage(game, deps.games) as Parameters<RestManager["editMessage"]>[2],
        );
      } catch (error) {
        deps.logger.warn("Could not update the board of game {gameId}: {error}", { gameId, error });
      }
    }
  };

  return {
    async remember(ctx, game) {
      try {
        const message = await ctx.original();
        deps.games.setBoardMessage(game.row.id, message.channel_id, message.id);
      } catch (error) {
        deps.logger.warn("Could not learn the board message of game {gameId}: {error}", {
          gameId: game.row.id,
          error,
        });
      }
    },
    refresh(gameId) {
      dirty.add(gameId);
      if (running.has(gameId)) return;
      const task = send(gameId).finally(() => running.delete(gameId));
      running.set(gameId, task);
    },
    pending: () => dirty.size + running.size,
    async flush() {
      await Promise.all(running.values());
    },
  };
}
