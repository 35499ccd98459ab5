/**
 * The vocabulary of Basketball Blitz: sides, offense plays and defenses, with the
 * human labels the board shows and guards that turn untrusted strings (button ids,
 * stored rows) into typed plays.
 *
 * @module
 */

/** One of the two teams. Home is always on offense first. */
export type Side = "home" | "away";

/** An offense play: Drive and Mid-range are worth 2 points, Three is worth 3. */
export type OffensePlay = "drive" | "mid" | "three";

/** A defense. A defense that lets the shot clock expire plays Man. */
export type DefensePlay = "man" | "zone" | "press";

/** Both sides, home first. */
export const SIDES: readonly Side[] = ["home", "away"];

/** Every offense play, in button order. */
export const OFFENSE_PLAYS: readonly OffensePlay[] = ["drive", "mid", "three"];

/** Every defense, in button order. */
export const DEFENSE_PLAYS: readonly DefensePlay[] = ["man", "zone", "press"];

/** Points scored by a made shot of each offense play. */
export const PLAY_POINTS: Readonly<Record<OffensePlay, number>> = { drive: 2, mid: 2, three: 3 };

/** Player-facing names of the offense plays ("Mid-range", as in the rules). */
export const OFFENSE_LABELS: Readonly<Record<OffensePlay, string>> = {
  drive: "Drive",
  mid: "Mid-range",
  three: "Three",
};

/** Player-facing names of the defenses. */
export const DEFENSE_LABELS: Readonly<Record<DefensePlay, string>> = {
  man: "Man",
  zone: "Zone",
  press: "Press",
};

/** Player-facing names of the sides. */
export const SIDE_LABELS: Readonly<Record<Side, string>> = { home: "Home", away: "Away" };

/** Whether `value` is a valid side. */
export function isSide(value: unknown): value is Side {
  return value === "home" || value === "away";
}

/** Whether `value` is a valid offense play. */
export function isOffensePlay(value: unknown): value is OffensePlay {
  return value === "drive" || value === "mid" || value === "three";
}

/** Whether `value` is a valid defense. */
export function isDefensePlay(value: unknown): value is DefensePlay {
  return value === "man" || value === "zone" || value === "press";
}

/** Returns `value` as an offense play, or throws a `TypeError` naming the valid plays. */
export function parseOffensePlay(value: unknown): OffensePlay {
  if (!isOffensePlay(value)) {
    throw new TypeError(
      `Invalid offense play ${quote(value)}: expected one of ${OFFENSE_PLAYS.join(", ")}`,
    );
  }
  return value;
}

/** Returns `value` as a defense, or throws a `TypeError` naming the valid defenses. */
export function parseDefensePlay(value: unknown): DefensePlay {
  if (!isDefensePlay(value)) {
    throw new TypeError(
      `Invalid defense play ${quote(value)}: expected one of ${DEFENSE_PLAYS.join(", ")}`,
    );
  }
  return value;
}

/** Returns `value` as a side, or throws a `TypeError`. */
export function parseSide(value: unknown): Side {
  if (!isSide(value)) {
    throw new TypeError(`Invalid side ${quote(value)}: expected "home" or "away"`);
  }
  return value;
}

/** The opposing side. */
export function otherSide(side: Side): Side {
  return side === "home" ? "away" : "home";
}

/** Quotes a value for an error message without throwing on odd inputs. */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "array" : "object";
  return `"${String(value)}"`;
}
