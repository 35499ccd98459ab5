/**
 * Exit codes, so a supervisor can tell a crash from a mistake: restart on 1, never on
 * 2, 3, 4 or 78.
 */
import { ConfigError } from "../config/mod.ts";
import { CorruptDatabaseError, NewerSchemaError } from "../store/mod.ts";
import { StoreLockedError } from "../ops/lock.ts";
import { PortInUseError } from "../server/serve.ts";
import { GatewayFatalError, TokenRejectedError } from "../bot/errors.ts";
import { ExitCode } from "./exit_code.ts";

export { ExitCode, ExitRequest } from "./exit_code.ts";

/** The exit code table as printed in `--help` and the README. */
export const EXIT_CODES_HELP = `Exit codes:
  0   clean stop
  1   unexpected failure (a supervisor may restart)
  2   command-line misuse
  3   database unusable (corrupt, or from a newer Blitz)
  4   token rejected by Discord
  75  data directory held by another running Blitz
  78  configuration invalid (including a port already in use)`;

/** Maps an error to the exit code that tells an operator what kind of problem it is. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError || error instanceof PortInUseError) return ExitCode.Config;
  if (error instanceof StoreLockedError) return ExitCode.Locked;
  if (error instanceof CorruptDatabaseError || error instanceof NewerSchemaError) {
    return ExitCode.DatabaseUnusable;
  }
  if (error instanceof TokenRejectedError) return ExitCode.TokenRejected;
  if (error instanceof GatewayFatalError) return ExitCode.Config;
  return ExitCode.Failure;
}
