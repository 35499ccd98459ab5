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

/**
 * Discord's API could not be reached at start (no answer, a network error, an error page).
 * Exit code 1: it may be passing, so a supervisor starts Blitz again.
 */
export class DiscordUnreachableError extends Error {
  override name = "DiscordUnreachableError";
  constructor(readonly apiUrl: string, why: string, options?: ErrorOptions) {
    super(
      `Cannot reach Discord at ${apiUrl}: ${why}. Check this machine's network and DNS, and ` +
        `DISCORD_API_URL if you set it`,
      options,
    );
  }
}

/** What discordeno puts in a failed request's `cause`: the HTTP status, and the body or why. */
export interface RequestFailure {
  status?: unknown;
  body?: unknown;
  error?: unknown;
}

/** The `cause` of a failed request to Discord (undefined for any other error). */
export const causeOf = (error: unknown): RequestFailure | undefined =>
  (error as { cause?: RequestFailure } | null)?.cause;

/** Did a request to Discord fail (an error answer, a timeout, a network error)? */
export function isDiscordFailure(error: unknown): boolean {
  return typeof causeOf(error)?.status === "number";
}

/**
 * A failed request to Discord in one line: "HTTP 503 <what Discord said>", or what went wrong
 * when no answer came (a timeout is 408, a network error 999, from `rest_send.ts`). Its stack
 * would only show discordeno's request path, the same every time.
 */
export function describeDiscordFailure(error: unknown): string {
  const cause = causeOf(error);
  const said = typeof cause?.body === "string" && cause.body
    ? cause.body.slice(0, 200)
    : typeof cause?.error === "string"
    ? cause.error.slice(0, 300)
    : undefined;
  const status = typeof cause?.status === "number" ? cause.status : undefined;
  if (status !== undefined && status >= 100 && status < 600) {
    return `HTTP ${status}${said ? ` ${said}` : ""}`;
  }
  return said ?? ((error as Error)?.message ?? String(error)).slice(0, 300);
}
