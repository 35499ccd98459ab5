/** Errors the store raises that callers are expected to catch (exit code 3 at the CLI). */

/** The database file is not SQLite, or fails its integrity check. The file is left untouched. */
export class CorruptDatabaseError extends Error {
  override name = "CorruptDatabaseError";
  constructor(readonly path: string, readonly detail: string, options?: ErrorOptions) {
    super(`Database "${path}" is unusable: ${detail}`, options);
  }
}

/** The database was written by a newer Blitz than this one. */
export class NewerSchemaError extends Error {
  override name = "NewerSchemaError";
  constructor(readonly path: string, readonly found: number, readonly known: number) {
    super(
      `Database "${path}" has schema version ${found}, but this Blitz knows versions up to ${known} ` +
        `(run the newer Blitz that wrote it, or restore a backup made with this version)`,
    );
  }
}

/**
 * Whether an error message says the disk is full: SQLite's "database or disk is full"
 * (SQLITE_FULL), or the file system's ENOSPC ("No space left on device").
 */
export function isDiskFullMessage(message: string): boolean {
  return /disk is full|SQLITE_FULL|ENOSPC|no space left/i.test(message);
}
