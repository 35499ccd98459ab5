/** Errors of the backup service that callers (CLI, admin API) are expected to catch. */

/** Another backup or restore of the same database is running. HTTP 409, exit code 75. */
export class BackupInProgressError extends Error {
  override name = "BackupInProgressError";
  constructor(readonly what: string, readonly pid?: number, options?: ErrorOptions) {
    super(
      `A ${what} of this database is already running${
        pid && pid !== Deno.pid ? ` (pid ${pid})` : ""
      } ` +
        `(wait for it to finish, then try again)`,
      options,
    );
  }
}

/** A backup could not be made; nothing was left behind and older backups are untouched. */
export class BackupFailedError extends Error {
  override name = "BackupFailedError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Why a file is not a usable backup. */
export type InvalidBackupReason =
  | "missing"
  | "not-sqlite"
  | "empty"
  | "truncated"
  | "checksum"
  | "not-blitz"
  | "newer-schema"
  | "schema-version"
  | "integrity"
  | "row-counts"
  | "unreadable";

/** A file that was given as a backup cannot be used as one. Exit code 1, HTTP 422. */
export class InvalidBackupError extends Error {
  override name = "InvalidBackupError";
  constructor(
    readonly path: string,
    readonly reason: InvalidBackupReason,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`"${path}" is not a usable backup: ${detail}`, options);
  }
}

/** The manifest beside the backups cannot be read. */
export class ManifestError extends Error {
  override name = "ManifestError";
  constructor(readonly path: string, detail: string, options?: ErrorOptions) {
    super(
      `Backup manifest "${path}" cannot be read: ${detail} ` +
        `(move it aside; the next backup writes a new one)`,
      options,
    );
  }
}
