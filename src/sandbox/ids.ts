/**
 * Ids and tokens in Discord's shapes: snowflakes (64-bit ids serialised as strings) and bot
 * tokens whose first segment is the base64 of the bot's user id (libraries such as discordeno
 * read the application id from it).
 *
 * @module
 */

/** The Discord epoch: the first millisecond of 2015, in Unix milliseconds. */
export const DISCORD_EPOCH = 1420070400000;

/** Internal worker and process ids written into every sandbox snowflake (5 bits each). */
const WORKER_ID = 1n;
const PROCESS_ID = 7n;

/** A source of snowflakes. `next()` is strictly increasing, even within one millisecond. */
export interface SnowflakeGenerator {
  /** A new snowflake string. */
  next(): string;
}

/**
 * Creates a snowflake generator. Ids carry the time they were made (`now`, Unix ms) like
 * Discord's, so `(id >> 22) + DISCORD_EPOCH` gives their creation time.
 */
export function createSnowflakeGenerator(now: () => number = Date.now): SnowflakeGenerator {
  let lastMs = 0n;
  let increment = 0n;
  return {
    next() {
      let ms = BigInt(Math.max(0, Math.floor(now()) - DISCORD_EPOCH));
      if (ms <= lastMs) {
        ms = lastMs;
        increment += 1n;
        // 12 bits of increment per millisecond: borrow the next millisecond when full.
        if (increment > 0xfffn) {
          ms += 1n;
          increment = 0n;
        }
      } else {
        increment = 0n;
      }
      lastMs = ms;
      return ((ms << 22n) | (WORKER_ID << 17n) | (PROCESS_ID << 12n) | increment).toString();
    },
  };
}

/**
 * A fixed snowflake for seeded data (users, guilds, channels): the same on every run, so a
 * bot's database stays consistent across restarts of a sandbox. `index` must be below 4096.
 */
export function seedSnowflake(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 0xfff) {
    throw new RangeError(`Seed index ${index} is out of range (0-4095)`);
  }
  // 2024-01-01T00:00:00Z: before any id the generator can make at run time.
  const ms = BigInt(Date.UTC(2024, 0, 1) - DISCORD_EPOCH);
  return ((ms << 22n) | (WORKER_ID << 17n) | BigInt(index)).toString();
}

/** The Unix millisecond time a snowflake was created at. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const URL_SAFE_CODES = new TextEncoder().encode(URL_SAFE);
const ascii = new TextDecoder();

/** A random string of `length` characters from the base64url alphabet. */
export function randomToken(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  for (let i = 0; i < length; i++) bytes[i] = URL_SAFE_CODES[bytes[i]! & 63]!;
  // One string from the bytes (all ASCII), not one string per character appended.
  return ascii.decode(bytes);
}

/** Base64 without padding, as Discord writes the first segment of a bot token. */
function base64NoPad(text: string): string {
  return btoa(text).replace(/=+$/, "");
}

/** A bot token in Discord's shape for `applicationId`: `base64(id).timestamp.hmac`. */
export function createBotToken(applicationId: string): string {
  return `${base64NoPad(applicationId)}.${randomToken(6)}.${randomToken(38)}`;
}

/**
 * The application (bot user) id a bot token names, or `undefined` when the token is not in
 * Discord's shape.
 */
export function applicationIdFromToken(token: string): string | undefined {
  const first = token.split(".")[0];
  if (!first || token.split(".").length !== 3) return undefined;
  try {
    const decoded = atob(first.replace(/-/g, "+").replace(/_/g, "/"));
    return /^\d{15,20}$/.test(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** `base64("interaction:")`, how Discord's interaction tokens begin. */
const INTERACTION_TOKEN_PREFIX = "aW50ZXJhY3Rpb246";

/** An interaction token: long, random and unguessable, like Discord's. */
export function createInteractionToken(interactionId: string): string {
  return `${INTERACTION_TOKEN_PREFIX}${base64NoPad(interactionId)}:${randomToken(96)}`;
}

/**
 * The interaction id an interaction token names, or `undefined` when it is not in that shape.
 * Only a lookup key: the whole token must still match the interaction's.
 */
export function interactionIdFromToken(token: string): string | undefined {
  if (!token.startsWith(INTERACTION_TOKEN_PREFIX)) return undefined;
  const end = token.indexOf(":", INTERACTION_TOKEN_PREFIX.length);
  if (end < 0) return undefined;
  try {
    const decoded = atob(
      token.slice(INTERACTION_TOKEN_PREFIX.length, end).replace(/-/g, "+").replace(/_/g, "/"),
    );
    return /^\d{15,20}$/.test(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}
