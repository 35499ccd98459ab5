/**
 * Errors of the Discord connection that the CLI maps to exit codes. Kept apart from
 * discord.ts so that verbs which never talk to Discord do not load discordeno.
 */

/** Discord refused the token (REST 401 or gateway close 4004). Exit code 4. */
export class TokenRejectedError extends Error {
  override name = "TokenRejectedError";
  constructor(readonly where: string, options?: ErrorOptions) {
    super(
      `Discord rejected the bot token (${where}). Get a new one at ` +
        `https://discord.com/developers/applications → your app → Bot → Reset Token, ` +
        `and set DISCORD_TOKEN`,
      options,
    );
  }
}

/** The gateway closed with a code that forbids reconnecting (e.g. 4014 disallowed intents). */
export class GatewayFatalError extends Error {
  override name = "GatewayFatalError";
  constructor(readonly code: number, reason: string) {
    super(
      `Discord closed the gateway with code ${code} (${
        reason || "no reason given"
      }); not reconnecting`,
    );
  }
}
