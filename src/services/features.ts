/**
 * Feature flags: game features that can be switched off at run time (persisted, audited,
 * shown in `/admin feature list`, `/api/features`, `/metrics` and the dashboard), safe mode
 * (everything but the core game off for this run), and the circuit breaker that switches a
 * feature off when its commands keep failing. The core game (boards, picks, stats, help)
 * has no flag: it is what safe mode keeps.
 */
import type { Clock } from "../clock.ts";
import type { FeaturesRepo } from "../store/features_repo.ts";
import type { Actor, AuditLog } from "./audit.ts";
import { SYSTEM_ACTOR } from "./audit.ts";

/** The switchable features. */
export const FEATURES = ["challenges", "solo", "tournaments", "reports", "alerts"] as const;

/** One switchable feature. */
export type FeatureName = typeof FEATURES[number];

/** What each feature covers, for people. */
export const FEATURE_DESCRIPTIONS: Record<FeatureName, string> = {
  challenges: "/blitz challenge and answering challenges",
  solo: "/blitz play (solo games against the House)",
  tournaments: "/blitz tournament",
  reports: "daily and weekly reports to the stats channel",
  alerts: "alert messages to the admin channel and webhook (the log always gets them)",
};

/** Is `name` a feature? */
export function isFeatureName(name: string): name is FeatureName {
  return (FEATURES as readonly string[]).includes(name);
}

/** A feature as shown everywhere. */
export interface FeatureState {
  name: FeatureName;
  enabled: boolean;
  description: string;
  /** Why it was last switched ("" when never). */
  reason: string;
  changedBy: string;
  /** ms epoch; null when never switched. */
  changedAt: number | null;
  /** Off for this run only because Blitz started with --safe-mode. */
  safeMode: boolean;
}

/** The feature a command or button belongs to; undefined: the core game. */
export function featureOfCommand(label: string): FeatureName | undefined {
  if (label === "blitz play") return "solo";
  if (label === "blitz challenge" || label === "button:accept" || label === "button:decline") {
    return "challenges";
  }
  if (label.startsWith("blitz tournament")) return "tournaments";
  return undefined;
}

/** The flags. */
export interface FeatureFlags {
  isEnabled(name: FeatureName): boolean;
  get(name: FeatureName): FeatureState;
  list(): FeatureState[];
  /** Switches a feature (persisted and audited). Returns the new state. */
  set(name: FeatureName, enabled: boolean, actor: Actor, reason?: string): FeatureState;
  /** Safe mode: every feature off for this run (not persisted), audited. */
  enterSafeMode(): void;
  onChange(listener: (state: FeatureState, actor: Actor) => void): void;
}

/** Creates the flags from what the repository holds (absent: on). */
export function createFeatureFlags(deps: {
  repo: FeaturesRepo;
  clock: Clock;
  audit: AuditLog;
}): FeatureFlags {
  const states = new Map<FeatureName, FeatureState>();
  for (const name of FEATURES) {
    states.set(name, {
      name,
      enabled: true,
      description: FEATURE_DESCRIPTIONS[name],
      reason: "",
      changedBy: "",
      changedAt: null,
      safeMode: false,
    });
  }
  for (const row of deps.repo.all()) {
    if (!isFeatureName(row.name)) continue;
    states.set(row.name, {
      ...states.get(row.name)!,
      enabled: row.enabled === 1,
      reason: row.reason,
      changedBy: row.changed_by,
      changedAt: Number(row.changed_at),
    });
  }
  const listeners: ((state: FeatureState, actor: Actor) => void)[] = [];
  const notify = (state: FeatureState, actor: Actor) => {
    for (const listener of listeners) {
      try {
        listener(state, actor);
      } catch { /* listeners never break a switch */ }
    }
  };
  return {
    isEnabled: (name) => states.get(name)!.enabled,
    get: (name) => ({ ...states.get(name)! }),
    list: () => FEATURES.map((name) => ({ ...states.get(name)! })),
    set(name, enabled, actor, reason = "") {
      const now = deps.clock.now();
      const changedBy = `${actor.name} (${actor.source})`;
      deps.repo.set({
        name,
        enabled: enabled ? 1 : 0,
        reason,
        changed_by: changedBy,
        changed_at: now,
      });
      const state: FeatureState = {
        ...states.get(name)!,
        enabled,
        reason,
        changedBy,
        changedAt: now,
        safeMode: false,
      };
      states.set(name, state);
      deps.audit.record({
        actor,
        action: enabled ? "feature enable" : "feature disable",
        target: name,
        detail: reason,
        outcome: "ok",
      });
      notify({ ...state }, actor);
      return { ...state };
    },
    enterSafeMode() {
      for (const name of FEATURES) {
        const state = states.get(name)!;
        states.set(name, { ...state, enabled: false, safeMode: true });
      }
      deps.audit.record({
        actor: SYSTEM_ACTOR,
        action: "safe mode",
        target: FEATURES.join(","),
        detail: "started with --safe-mode: every feature but the core game is off for this run",
        outcome: "ok",
      });
    },
    onChange: (listener) => void listeners.push(listener),
  };
}

/** The circuit breaker's memory: failures per feature within a window. Pure over its inputs. */
export interface CircuitBreaker {
  /** Records a failure at `nowMs`; true when this one trips the breaker. */
  recordFailure(feature: FeatureName, nowMs: number): boolean;
  /** Forgets a feature's failures (it was switched on again). */
  reset(feature: FeatureName): void;
  failures(feature: FeatureName, nowMs: number): number;
}

/** A breaker that trips at `threshold` failures within `windowMs`. */
export function createCircuitBreaker(
  options: { threshold: number; windowMs: number },
): CircuitBreaker {
  const failures = new Map<FeatureName, number[]>();
  const recent = (feature: FeatureName, nowMs: number) => {
    const kept = (failures.get(feature) ?? []).filter((t) => t > nowMs - options.windowMs);
    failures.set(feature, kept);
    return kept;
  };
  return {
    recordFailure(feature, nowMs) {
      const kept = recent(feature, nowMs);
      kept.push(nowMs);
      if (kept.length >= options.threshold) {
        failures.set(feature, []);
        return true;
      }
      return false;
    },
    reset: (feature) => void failures.delete(feature),
    failures: (feature, nowMs) => recent(feature, nowMs).length,
  };
}
