/**
 * Compact storage of a game's picks: one lowercase hex character per possession,
 * `offense * 4 + defense` with 0 standing for "let the shot clock expire". A regulation
 * game of 8 possessions per side is 16 bytes.
 *
 * @module
 */

import { DEFENSE_PLAYS, type DefensePlay, OFFENSE_PLAYS, type OffensePlay } from "./plays.ts";
import { assertPossessionRecord, type PossessionRecord } from "./possession.ts";

const HEX = "0123456789abcdef";

/** Encodes records, one character per possession. Throws `TypeError` on a bad record. */
export function encodeRecords(records: readonly PossessionRecord[]): string {
  if (!Array.isArray(records)) {
    throw new TypeError("Invalid records: expected an array of possession records");
  }
  let encoded = "";
  for (const record of records) {
    assertPossessionRecord(record);
    const offense = record.offensePick === null ? 0 : OFFENSE_PLAYS.indexOf(record.offensePick) + 1;
    const defense = record.defensePick === null ? 0 : DEFENSE_PLAYS.indexOf(record.defensePick) + 1;
    encoded += HEX[offense * 4 + defense];
  }
  return encoded;
}

/**
 * Decodes what `encodeRecords` wrote. Every lowercase hex digit is a valid possession;
 * throws a `RangeError` naming the first other character.
 */
export function decodeRecords(encoded: string): PossessionRecord[] {
  if (typeof encoded !== "string") {
    throw new TypeError(`Invalid encoded records: expected a string, got ${typeof encoded}`);
  }
  const records: PossessionRecord[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const char = encoded.charAt(i);
    const code = HEX.indexOf(char);
    if (code < 0) {
      throw new RangeError(
        `Invalid encoded records: character ${JSON.stringify(char)} at position ${i} ` +
          `is not a lowercase hex digit (0-9, a-f)`,
      );
    }
    records.push({ offensePick: offenseAt(code >> 2), defensePick: defenseAt(code & 3) });
  }
  return records;
}

function offenseAt(index: number): OffensePlay | null {
  return index === 0 ? null : OFFENSE_PLAYS[index - 1] ?? null;
}

function defenseAt(index: number): DefensePlay | null {
  return index === 0 ? null : DEFENSE_PLAYS[index - 1] ?? null;
}
