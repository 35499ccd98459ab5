/**
 * The game's buttons: picks (`pick:<game>:<possession>:<play>`) and challenge answers
 * (`accept:<game>`, `decline:<game>`). The custom_id carries everything needed to find the
 * game, so boards keep working across restarts.
 */
import { DEFENSE_LABELS, OFFENSE_LABELS } from "../game/mod.ts";
import type { GameService, LiveGame } from "../services/games.ts";
import type { InteractionContext } from "./context.ts";
import type { InteractionHandler } from "./router.ts";
import { answerRefusal, displayName } from "./blitz_command.ts";
import { type BoardUpdater, renderGameMessage, showsLatest } from "./board_updater.ts";

const PLAY_LABELS: Record<string, string> = { ...OFFENSE_LABELS, ...DEFENSE_LABELS };

/** What the buttons need. */
export interface GameButtonDeps {
  games: GameService;
  boards: BoardUpdater;
}

function parseId(customId: string, parts: number): string[] | undefined {
  const fields = customId.split(":");
  return fields.length === parts && fields.every((f) => f.length > 0) ? fields : undefined;
}

async function broken(ctx: InteractionContext): Promise<void> {
  await ctx.reply({
    content: "This button is not valid any more. Start a new game with /blitz play.",
  }, {
    ephemeral: true,
  });
}

/** Keeps the board's message id in step with the message the click came from. */
function learnBoard(deps: GameButtonDeps, ctx: InteractionContext, gameId: number): void {
  const message = ctx.interaction.message;
  const game = deps.games.get(gameId);
  if (message && game && game.row.message_id !== message.id) {
    deps.games.setBoardMessage(gameId, message.channel_id ?? ctx.channelId ?? "", message.id);
  }
}

/** Creates the handlers, keyed by custom_id prefix. */
export function createGameButtons(deps: GameButtonDeps): Record<string, InteractionHandler> {
  const { games } = deps;
  return {
    async pick(ctx) {
      const fields = parseId(ctx.interaction.data?.custom_id ?? "", 4);
      const gameId = Number(fields?.[1]);
      const k = Number(fields?.[2]);
      if (!fields || !Number.isInteger(gameId) || !Number.isInteger(k)) return await broken(ctx);
      try {
        const outcome = games.pick({
          gameId,
          k,
          play: fields[3]!,
          player: { id: ctx.user.id, name: displayName(ctx.user) },
        });
        learnBoard(deps, ctx, gameId);
        if (outcome.resolved) {
          await updateBoard(ctx, outcome.game);
          return;
        }
        const waitingFor = games.playerName(
          outcome.side === "home" ? outcome.game.row.away_id ?? "" : outcome.game.row.home_id,
        );
        await ctx.reply({
          content: `✅ You picked **${PLAY_LABELS[outcome.play]}**. Waiting for ${waitingFor}.`,
        }, {
          ephemeral: true,
        });
        deps.boards.refresh(gameId);
      } catch (error) {
        await answerRefusal(ctx, error);
      }
    },
    accept: (ctx) => answer(ctx, true),
    decline: (ctx) => answer(ctx, false),
  };

  /**
   * Answers a click by redrawing the board it is on. If that answer fails, or lands after the
   * game moved on (it may wait out a 429), the board updater draws the current board.
   */
  async function updateBoard(ctx: InteractionContext, game: LiveGame): Promise<void> {
    const message = renderGameMessage(game, games);
    let drawn = false;
    try {
      await ctx.update(message);
      drawn = true;
    } finally {
      if (!drawn || !showsLatest(games, game.row.id, message, game)) {
        deps.boards.refresh(game.row.id);
      }
    }
  }

  async function answer(ctx: InteractionContext, accept: boolean): Promise<void> {
    const fields = parseId(ctx.interaction.data?.custom_id ?? "", 2);
    const gameId = Number(fields?.[1]);
    if (!fields || !Number.isInteger(gameId)) return await broken(ctx);
    try {
      const game = games.respond({
        gameId,
        player: { id: ctx.user.id, name: displayName(ctx.user) },
        accept,
      });
      learnBoard(deps, ctx, gameId);
      await updateBoard(ctx, game);
    } catch (error) {
      await answerRefusal(ctx, error);
    }
  }
}
