/**
 * `/blitz …`: the game's slash command and its subcommands. Each answer is one callback;
 * refusals are short ephemeral explanations that change nothing.
 */
import type { GameService, LiveGame } from "../services/games.ts";
import { GameRuleError } from "../services/game_errors.ts";
import type { GamesRepo } from "../store/games_repo.ts";
import type { Logger } from "../log.ts";
import type { InteractionContext } from "./context.ts";
import type { InteractionHandler } from "./router.ts";
import type { CommandDefinition } from "./commands.ts";
import type { RawOption, RawUser } from "./types.ts";
import { renderBoard, renderChallenge, sideNames } from "./board.ts";
import { renderGameMessage } from "./board_updater.ts";
import { renderGames, renderHelp, renderLeaderboard, renderStats } from "./views.ts";

/** The `/blitz` command definition (Discord format). */
export const BLITZ_COMMAND: CommandDefinition = {
  name: "blitz",
  description: "Basketball Blitz: quick head-to-head basketball duels",
  type: 1,
  dm_permission: false,
  options: [
    { type: 1, name: "play", description: "Play a solo game against the House" },
    {
      type: 1,
      name: "challenge",
      description: "Challenge another member to a game",
      options: [
        { type: 6, name: "opponent", description: "Who you challenge", required: true },
        {
          type: 4,
          name: "possessions",
          description: "Possessions per side (default 8)",
          required: false,
          min_value: 1,
          max_value: 50,
        },
      ],
    },
    { type: 1, name: "forfeit", description: "End your current game as a loss" },
    {
      type: 1,
      name: "stats",
      description: "A player's record",
      options: [{
        type: 6,
        name: "user",
        description: "Whose stats (default: you)",
        required: false,
      }],
    },
    {
      type: 1,
      name: "leaderboard",
      description: "The best players",
      options: [{
        type: 3,
        name: "scope",
        description: "This server or everyone (default: this server)",
        required: false,
        choices: [{ name: "This server", value: "server" }, { name: "Global", value: "global" }],
      }],
    },
    { type: 1, name: "games", description: "Games being played in this server" },
    { type: 1, name: "help", description: "How to play" },
  ],
};

/** What the game commands need. */
export interface GameCommandDeps {
  games: GameService;
  repo: GamesRepo;
  logger: Logger;
  /**
   * Remembers the board's message id once Discord has created it: `sent`, as Discord's answer
   * to the reply named it, or else asked for.
   */
  rememberBoard: (
    ctx: InteractionContext,
    game: LiveGame,
    sent?: { id: string; channel_id: string },
  ) => Promise<void>;
  /** Redraws a game's board in the background. */
  refreshBoard: (gameId: number) => void;
}

/** The display name of a Discord user. */
export function displayName(user: RawUser): string {
  return user.global_name || user.username;
}

/** Answers a refused game action ephemerally, or rethrows anything else. */
export async function answerRefusal(ctx: InteractionContext, error: unknown): Promise<void> {
  if (!(error instanceof GameRuleError)) throw error;
  await ctx.reply({ content: error.message }, { ephemeral: true });
}

function option(options: RawOption[] | undefined, name: string): RawOption | undefined {
  return options?.find((o) => o.name === name);
}

/** Creates the `/blitz` handler. */
export function createBlitzCommand(deps: GameCommandDeps): InteractionHandler {
  const { games, repo } = deps;
  const names = (game: LiveGame) => sideNames(game, games.playerName);
  const subcommands: Record<
    string,
    (ctx: InteractionContext, options: RawOption[] | undefined) => Promise<void>
  > = {
    async play(ctx) {
      const open = games.openGameOf(ctx.user.id);
      if (open && !open.row.message_id) {
        // Its board never reached anyone: the bot stopped, or Discord failed the reply, between
        // saving the game and showing it. Show it now, rather than refuse a new game because of
        // one nobody can see or click.
        const sent = await ctx.replyWithMessage(renderGameMessage(open, games));
        await deps.rememberBoard(ctx, open, sent);
        deps.logger.info("Posted the board of game {gameId}, which had none", {
          gameId: open.row.id,
        });
        return;
      }
      const game = games.startSolo({
        player: { id: ctx.user.id, name: displayName(ctx.user) },
        guildId: ctx.guildId ?? null,
        channelId: ctx.channelId ?? null,
      });
      const sent = await ctx.replyWithMessage(renderBoard(game, names(game)));
      await deps.rememberBoard(ctx, game, sent);
    },
    async challenge(ctx, options) {
      const opponentId = String(option(options, "opponent")?.value ?? "");
      const resolved = ctx.interaction.data?.resolved?.users?.[opponentId];
      if (!resolved) {
        await ctx.reply({ content: "Pick a member of this server to challenge." }, {
          ephemeral: true,
        });
        return;
      }
      const possessions = option(options, "possessions")?.value;
      const game = games.challenge({
        challenger: { id: ctx.user.id, name: displayName(ctx.user) },
        opponent: { id: resolved.id, name: displayName(resolved), bot: resolved.bot === true },
        possessions: possessions === undefined ? undefined : Number(possessions),
        guildId: ctx.guildId ?? null,
        channelId: ctx.channelId ?? null,
      });
      const sent = await ctx.replyWithMessage(renderChallenge(game, names(game)));
      await deps.rememberBoard(ctx, game, sent);
    },
    async forfeit(ctx) {
      const game = games.forfeit(ctx.user.id);
      await ctx.reply({ content: `You forfeited game #${game.row.id}.` }, { ephemeral: true });
      deps.refreshBoard(game.row.id);
    },
    async stats(ctx, options) {
      const userId = String(option(options, "user")?.value ?? ctx.user.id);
      const player = repo.getPlayer(userId);
      const fallback = ctx.interaction.data?.resolved?.users?.[userId];
      await ctx.reply(
        renderStats(
          player,
          player ? repo.rankOf(userId) : undefined,
          fallback ? displayName(fallback) : undefined,
        ),
        { ephemeral: true },
      );
    },
    async leaderboard(ctx, options) {
      const global = option(options, "scope")?.value === "global" || !ctx.guildId;
      const rows = repo.leaderboard(global ? {} : { guildId: ctx.guildId }, 10);
      await ctx.reply(renderLeaderboard(rows, global), { ephemeral: true });
    },
    async games(ctx) {
      const open = ctx.guildId ? games.openInGuild(ctx.guildId, 10) : [];
      await ctx.reply(renderGames(open, (g) => names(g)), { ephemeral: true });
    },
    async help(ctx) {
      await ctx.reply(renderHelp(), { ephemeral: true });
    },
  };
  return async (ctx) => {
    const sub = ctx.interaction.data?.options?.find((o) => o.type === 1);
    const run = sub ? subcommands[sub.name] : undefined;
    if (!sub || !run) {
      await ctx.reply({ content: "Unknown /blitz subcommand. Try /blitz help." }, {
        ephemeral: true,
      });
      return;
    }
    try {
      await run(ctx, sub.options);
    } catch (error) {
      await answerRefusal(ctx, error);
    }
  };
}
