/**
 * Routes INTERACTION_CREATE dispatches to handlers, times them, counts them in the metrics,
 * and turns any failure into a short ephemeral apology — a handler never crashes the bot.
 */
import type { RestManager } from "@discordeno/bot";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { BlitzMetrics } from "../ops/metrics.ts";
import { systemTimers, type Timers } from "../scheduler/deadlines.ts";
import { createInteractionContext, type InteractionContext } from "./context.ts";
import { causeOf, describeDiscordFailure, isDiscordFailure } from "./errors.ts";
import type { RawInteraction, RawOption } from "./types.ts";

/** Handles one slash command (by top-level name) or one family of buttons (by custom_id prefix). */
export type InteractionHandler = (ctx: InteractionContext) => Promise<void>;

/** Options for {@link createInteractionRouter}. */
export interface RouterOptions {
  rest: RestManager;
  logger: Logger;
  metrics: BlitzMetrics;
  clock: Clock;
  /** Slash command handlers by command name. */
  commands: Record<string, InteractionHandler>;
  /** Component handlers by custom_id prefix (the text before the first ":"). */
  components?: Record<string, InteractionHandler>;
  /** Per-user rate limit: ms to wait (0: go ahead). Refused users get an ephemeral "slow down". */
  rateLimit?: (userId: string) => number;
  /** Called when a handler throws, after the user got an apology (error tracking). */
  onError?: (error: unknown, label: string) => void;
  /** Called when an interaction is done, with its time in seconds and its outcome (monitoring). */
  onFinished?: (label: string, seconds: number, outcome: string) => void;
  /** Timers (default: the real ones, unref'd); tests pass fake ones with a fake `clock`. */
  timers?: Timers;
}

/** The router. */
export interface InteractionRouter {
  handle(interaction: RawInteraction): Promise<void>;
  /** Interactions being handled right now. */
  inFlight(): number;
}

/** "blitz play" for a subcommand, "ping" for a plain command, "button:pick" for a component. */
export function interactionLabel(interaction: RawInteraction): string {
  if (interaction.type === 3) return `button:${(interaction.data?.custom_id ?? "").split(":")[0]}`;
  const name = interaction.data?.name ?? "unknown";
  const sub = interaction.data?.options?.find((o: RawOption) => o.type === 1 || o.type === 2);
  return sub ? `${name} ${sub.name}` : name;
}

/**
 * The fields of an interaction Blitz reads ({@link RawInteraction}), copied out of Discord's
 * payload. A click's payload carries the whole message it came from (content, embeds, every
 * button) and more Blitz never reads. An interaction in flight keeps what it holds until Discord
 * answers the callback, and whole payloads reached V8's old generation often enough to pace its
 * major collections: with the copy, 1.4 MB/s promoted instead of 3.4 (docs/DECISIONS.md D33).
 */
export function slimInteraction(raw: RawInteraction): RawInteraction {
  const slim: RawInteraction = {
    id: raw.id,
    application_id: raw.application_id,
    type: raw.type,
    token: raw.token,
  };
  if (raw.guild_id !== undefined) slim.guild_id = raw.guild_id;
  if (raw.channel_id !== undefined) slim.channel_id = raw.channel_id;
  if (raw.member !== undefined) slim.member = raw.member;
  if (raw.user !== undefined) slim.user = raw.user;
  if (raw.data !== undefined) slim.data = raw.data;
  if (raw.message) slim.message = { id: raw.message.id, channel_id: raw.message.channel_id };
  return slim;
}

/**
 * Did Discord refuse an answer because the interaction expired (10062 "Unknown interaction")?
 * Discord forgets an interaction it got no callback for within 3 s, and its token with it: the
 * user saw "This interaction failed", and nothing Blitz sends with that token reaches them.
 */
export function isExpiredInteraction(error: unknown): boolean {
  const cause = causeOf(error);
  if (cause?.status !== 404 || typeof cause.body !== "string") return false;
  try {
    return (JSON.parse(cause.body) as { code?: unknown })?.code === 10062;
  } catch {
    return false;
  }
}

/** When Discord created an interaction (ms since 1970), from its snowflake id. */
export function createdAtOf(id: string): number | undefined {
  try {
    return Number(BigInt(id) >> 22n) + 1420070400000;
  } catch {
    return undefined;
  }
}

/** Expiries are logged one in this many ms; the others are counted and summed up after. */
export const EXPIRED_LOG_WINDOW_MS = 10_000;

/** Creates the router. */
export function createInteractionRouter(options: RouterOptions): InteractionRouter {
  let inFlight = 0;
  const { logger, clock } = options;
  /**
   * Expired interactions come in floods (an overloaded machine, a stalled disk): one warning per
   * window, then a count, so the log stays readable and writing it does not add to the overload.
   */
  const timers = options.timers ?? systemTimers;
  let expiredWindowAt = -Infinity;
  let expiredUnlogged = 0;
  let expiredTimer: number | undefined;
  const flushExpired = () => {
    if (expiredTimer !== undefined) timers.clearTimeout(expiredTimer);
    expiredTimer = undefined;
    if (expiredUnlogged === 0) return;
    logger.warn("{count} more interactions expired in the {seconds} s after that", {
      count: expiredUnlogged,
      seconds: EXPIRED_LOG_WINDOW_MS / 1000,
    });
    expiredUnlogged = 0;
  };
  const noteExpired = (ctx: InteractionContext, label: string, handledMs: number) => {
    const now = clock.now();
    if (now - expiredWindowAt < EXPIRED_LOG_WINDOW_MS) {
      expiredUnlogged++;
      return;
    }
    flushExpired();
    expiredWindowAt = now;
    const createdAt = createdAtOf(ctx.interaction.id);
    const props = {
      label,
      ageMs: createdAt === undefined ? "?" : Math.round(Date.now() - createdAt),
      handledMs: Math.round(handledMs),
      seconds: EXPIRED_LOG_WINDOW_MS / 1000,
    };
    const rest = "Others in the next {seconds} s are counted, not logged.";
    if (ctx.acknowledged) {
      // The answer got through; what followed (a follow-up, an edit) found the token gone.
      logger.warn(
        "Interaction {label} was answered, but Discord no longer knew its token for what " +
          `followed, {handledMs} ms after Blitz got it (a token lasts 15 minutes). ${rest}`,
        props,
      );
    } else {
      logger.warn(
        "Interaction {label} expired: its answer reached Discord after the 3 s Discord allows " +
          "(created {ageMs} ms before, by this machine's clock; {handledMs} ms of it in Blitz), " +
          `so the user saw "This interaction failed". ${rest}`,
        props,
      );
    }
    expiredTimer = timers.setTimeout(flushExpired, EXPIRED_LOG_WINDOW_MS);
  };
  const apologize = async (ctx: InteractionContext, text: string) => {
    // An answer was sent and never got through: a follow-up needs an acknowledged interaction,
    // and a second answer may be one Discord already has (40060). Discord refuses either: a 404
    // or 400, and once its 3 s are over a 401, which counts toward the 10,000 invalid requests
    // in 10 minutes after which its edge bans the IP. The user sees the interaction fail.
    if (ctx.answered && !ctx.acknowledged) return;
    try {
      if (ctx.answered) await ctx.followUp({ content: text }, { ephemeral: true });
      else await ctx.reply({ content: text }, { ephemeral: true });
    } catch (error) {
      options.logger.warn("Could not tell the user about a failure: {error}", { error });
    }
  };
  return {
    inFlight: () => inFlight,
    async handle(interaction) {
      const started = clock.now();
      const label = interactionLabel(interaction);
      const ctx = createInteractionContext(options.rest, interaction);
      let handler: InteractionHandler | undefined;
      if (interaction.type === 2) handler = options.commands[interaction.data?.name ?? ""];
      else if (interaction.type === 3) {
        handler = options.components?.[(interaction.data?.custom_id ?? "").split(":")[0] ?? ""];
      }
      inFlight++;
      let outcome = "ok";
      try {
        const wait = options.rateLimit?.(ctx.user.id) ?? 0;
        if (wait > 0) {
          outcome = "rate_limited";
          options.metrics.rateLimited.inc();
          await ctx.reply({
            content: `⏳ Slow down! Try again in ${Math.ceil(wait / 1000)} s.`,
          }, { ephemeral: true });
          return;
        }
        if (!handler) {
          outcome = "unknown";
          options.logger.warn("No handler for interaction {label} (custom_id {customId})", {
            label,
            customId: interaction.data?.custom_id,
          });
          await apologize(ctx, "This button or command is no longer supported.");
          return;
        }
        await handler(ctx);
        if (!ctx.answered) {
          outcome = "unanswered";
          options.logger.error("Handler for {label} returned without answering", { label });
          await apologize(ctx, "Something went wrong; please try again.");
        }
      } catch (error) {
        if (isExpiredInteraction(error)) {
          // Nothing can reach the user now: no apology, no stack trace.
          outcome = "expired";
          noteExpired(ctx, label, clock.now() - started);
          options.onError?.(error, label);
          return;
        }
        outcome = "error";
        if (isDiscordFailure(error)) {
          // Discord's side (an error answer, no answer in time): one line, no stack.
          logger.error("Interaction {label} failed: a request to Discord failed ({why})", {
            label,
            why: describeDiscordFailure(error),
          });
        } else logger.error("Interaction {label} failed: {error}", { label, error });
        options.onError?.(error, label);
        await apologize(ctx, "Something went wrong on our side; the error was logged.");
      } finally {
        inFlight--;
        const seconds = (clock.now() - started) / 1000;
        options.metrics.commandsTotal.inc({ command: label, outcome });
        options.metrics.commandDuration.observe({ command: label }, seconds);
        try {
          options.onFinished?.(label, seconds, outcome);
        } catch (error) {
          options.logger.warn("The interaction hook failed: {error}", { error });
        }
      }
    },
  };
}
