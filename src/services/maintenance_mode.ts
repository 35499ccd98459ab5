/**
 * Maintenance mode: while on, game commands and buttons are answered with the maintenance
 * message (admin commands and /ping still work). Persisted in `settings`, so a restart keeps
 * it; every switch is audited.
 */
import type { Clock } from "../clock.ts";
import type { Store } from "../store/store.ts";
import type { Actor, AuditLog } from "./audit.ts";

/** The default text players see. */
export const DEFAULT_MAINTENANCE_MESSAGE =
  "🛠️ Basketball Blitz is under maintenance right now. Please try again in a few minutes.";

/** Maintenance mode as shown everywhere (`since` in ms epoch). */
export interface MaintenanceState {
  enabled: boolean;
  message: string;
  since: number | null;
  by: string;
}

/** The switch. */
export interface MaintenanceMode {
  state(): MaintenanceState;
  set(enabled: boolean, actor: Actor, message?: string): MaintenanceState;
  onChange(listener: (state: MaintenanceState) => void): void;
}

/** Creates the switch over the store's settings. */
export function createMaintenanceMode(
  deps: { store: Store; clock: Clock; audit: AuditLog },
): MaintenanceMode {
  const read = (): MaintenanceState => {
    try {
      const raw = deps.store.getSetting("maintenance");
      if (!raw) {
        return { enabled: false, message: DEFAULT_MAINTENANCE_MESSAGE, since: null, by: "" };
      }
      const parsed = JSON.parse(raw) as Partial<MaintenanceState>;
      return {
        enabled: parsed.enabled === true,
        message: parsed.message || DEFAULT_MAINTENANCE_MESSAGE,
        since: typeof parsed.since === "number" ? parsed.since : null,
        by: parsed.by ?? "",
      };
    } catch {
      return { enabled: false, message: DEFAULT_MAINTENANCE_MESSAGE, since: null, by: "" };
    }
  };
  let current = read();
  const listeners: ((state: MaintenanceState) => void)[] = [];
  return {
    state: () => ({ ...current }),
    set(enabled, actor, message) {
      const next: MaintenanceState = {
        enabled,
        message: (message ?? "").trim() || DEFAULT_MAINTENANCE_MESSAGE,
        since: enabled ? deps.clock.now() : null,
        by: enabled ? `${actor.name} (${actor.source})` : "",
      };
      deps.store.setSetting("maintenance", JSON.stringify(next));
      current = next;
      deps.audit.record({
        actor,
        action: enabled ? "maintenance on" : "maintenance off",
        detail: enabled ? next.message : "",
        outcome: "ok",
      });
      for (const listener of listeners) {
        try {
          listener({ ...next });
        } catch { /* listeners never break the switch */ }
      }
      return { ...next };
    },
    onChange: (listener) => void listeners.push(listener),
  };
}
