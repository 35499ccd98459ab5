/**
 * The gate in front of the game's handlers: maintenance mode answers every game command and
 * button with the maintenance message; a switched-off feature says so; while Blitz shuts
 * down, no new game starts; and, in sandbox mode only, `BLITZ_FAULT_INJECT` makes a chosen
 * command fail (to test the circuit breaker). Admin commands and /ping are never gated.
 */
import type { FeatureName, FeatureState } from "../services/features.ts";
import { featureOfCommand } from "../services/features.ts";
import type { MaintenanceState } from "../services/maintenance_mode.ts";
import type { InteractionContext } from "./context.ts";
import { type InteractionHandler, interactionLabel } from "./router.ts";

/** What the gate reads. */
export interface CommandGuardDeps {
  maintenance: () => MaintenanceState;
  feature: (name: FeatureName) => FeatureState;
  /** Shutting down: refuse what would start a game. */
  draining: () => boolean;
  /** Labels made to fail ("blitz play"), from BLITZ_FAULT_INJECT; empty outside sandbox mode. */
  faults: readonly string[];
}

/** Commands and buttons that start a game (refused while shutting down). */
const STARTS_A_GAME = new Set(["blitz play", "blitz challenge", "button:accept"]);

/** A handler failure injected on purpose (sandbox mode, BLITZ_FAULT_INJECT). */
export class InjectedFaultError extends Error {
  override name = "InjectedFaultError";
  constructor(label: string) {
    super(`Injected fault for "${label}" (BLITZ_FAULT_INJECT, sandbox mode only)`);
  }
}

/** The refusal for a switched-off feature. */
export function featureOffMessage(state: FeatureState): string {
  const names: Record<FeatureName, string> = {
    challenges: "Challenges are",
    solo: "Solo games are",
    tournaments: "Tournaments are",
    reports: "Reports are",
    alerts: "Alerts are",
  };
  const why = state.safeMode
    ? " (Blitz is running in safe mode)"
    : state.reason
    ? ` (${state.reason})`
    : "";
  return `🚧 ${names[state.name]} switched off right now${why}. Other /blitz commands still work.`;
}

/** Wraps one game handler with the gate. */
export function guardGameHandler(
  deps: CommandGuardDeps,
  handler: InteractionHandler,
): InteractionHandler {
  return async (ctx: InteractionContext) => {
    const label = interactionLabel(ctx.interaction);
    const maintenance = deps.maintenance();
    if (maintenance.enabled) {
      await ctx.reply({ content: maintenance.message }, { ephemeral: true });
      return;
    }
    if (deps.draining() && STARTS_A_GAME.has(label)) {
      await ctx.reply({
        content: "⏳ Blitz is restarting: new games are paused for a moment. Try again shortly.",
      }, { ephemeral: true });
      return;
    }
    const feature = featureOfCommand(label);
    if (feature) {
      const state = deps.feature(feature);
      if (!state.enabled) {
        await ctx.reply({ content: featureOffMessage(state) }, { ephemeral: true });
        return;
      }
    }
    if (deps.faults.includes(label)) throw new InjectedFaultError(label);
    await handler(ctx);
  };
}

/** Wraps every handler of a map (the game's buttons). */
export function guardGameHandlers(
  deps: CommandGuardDeps,
  handlers: Record<string, InteractionHandler>,
): Record<string, InteractionHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([key, handler]) => [key, guardGameHandler(deps, handler)]),
  );
}
