/**
 * The exit codes themselves, with no imports: `blitz tui` needs them without loading the store,
 * the server or the bot (see `exit_codes.ts` for which error maps to which code).
 */

/** Every exit code Blitz uses. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  DatabaseUnusable: 3,
  TokenRejected: 4,
  Locked: 75,
  Config: 78,
} as const;

/** Thrown by a verb's action: the command finished and the process should exit with `code`. */
export class ExitRequest extends Error {
  override name = "ExitRequest";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
