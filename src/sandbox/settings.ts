/**
 * The sandbox's run-time settings: the knobs that Discord sets per application or per IP
 * (global rate limit, enabled privileged intents, the invalid-request limit) and the token's
 * validity. One mutable object shared by the REST API, the gateway and the control API
 * (`GET`/`PATCH /_sandbox/settings`).
 *
 * @module
 */

/** Privileged gateway intents: they must be enabled for the app, or IDENTIFY closes with 4014. */
export const PRIVILEGED_INTENTS = {
  GUILD_MEMBERS: 1 << 1,
  GUILD_PRESENCES: 1 << 8,
  MESSAGE_CONTENT: 1 << 15,
} as const;

/** Every privileged intent bit. */
export const ALL_PRIVILEGED_INTENTS = PRIVILEGED_INTENTS.GUILD_MEMBERS |
  PRIVILEGED_INTENTS.GUILD_PRESENCES | PRIVILEGED_INTENTS.MESSAGE_CONTENT;

/** The settings. */
export interface SandboxSettings {
  /** Requests per second per bot token (Discord: 50); 0 switches the global limit off. */
  globalRateLimitPerSecond: number;
  /** Privileged intents enabled for the app (bits of {@link PRIVILEGED_INTENTS}); default none. */
  privilegedIntents: number;
  /** Invalid requests (401, 403, 429 except scope "shared") an IP may make per window (Discord: 10,000). */
  invalidRequestLimit: number;
  /** The invalid-request window in ms (Discord: 10 minutes). */
  invalidRequestWindowMs: number;
  /** How long an IP over the limit is refused by the "Cloudflare" edge, in ms. */
  invalidRequestBanMs: number;
  /** False while the token is revoked (a token reset): REST answers 401, the gateway 4004. */
  tokenValid: boolean;
}

/** Discord's figures. */
export const DEFAULT_SETTINGS: Readonly<SandboxSettings> = {
  globalRateLimitPerSecond: 50,
  privilegedIntents: 0,
  invalidRequestLimit: 10_000,
  invalidRequestWindowMs: 10 * 60 * 1000,
  invalidRequestBanMs: 60 * 60 * 1000,
  tokenValid: true,
};

/** The fields `PATCH /_sandbox/settings` accepts, with their checks. */
const NUMERIC: Record<string, { min: number; max: number }> = {
  globalRateLimitPerSecond: { min: 0, max: 100_000 },
  privilegedIntents: { min: 0, max: ALL_PRIVILEGED_INTENTS },
  invalidRequestLimit: { min: 1, max: 10_000_000 },
  invalidRequestWindowMs: { min: 1, max: 24 * 3600 * 1000 },
  invalidRequestBanMs: { min: 0, max: 24 * 3600 * 1000 },
};

/**
 * Applies a partial update; returns the problems (nothing is changed when there are any).
 * `privilegedIntents` may only hold privileged bits.
 */
export function updateSettings(settings: SandboxSettings, patch: unknown): string[] {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    return ["Expected a JSON object of settings"];
  }
  const problems: string[] = [];
  const next: Partial<SandboxSettings> = {};
  for (const [key, value] of Object.entries(patch)) {
    const range = NUMERIC[key];
    if (range) {
      if (
        typeof value !== "number" || !Number.isInteger(value) || value < range.min ||
        value > range.max
      ) {
        problems.push(`"${key}" must be a whole number from ${range.min} to ${range.max}`);
      } else if (key === "privilegedIntents" && (value & ~ALL_PRIVILEGED_INTENTS) !== 0) {
        problems.push(
          `"privilegedIntents" may only hold privileged intent bits (${ALL_PRIVILEGED_INTENTS})`,
        );
      } else (next as Record<string, number>)[key] = value;
    } else if (key === "tokenValid") {
      if (typeof value !== "boolean") problems.push(`"tokenValid" must be true or false`);
      else next.tokenValid = value;
    } else problems.push(`Unknown setting "${key}"`);
  }
  if (problems.length === 0) Object.assign(settings, next);
  return problems;
}
