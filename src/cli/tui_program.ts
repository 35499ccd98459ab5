/**
 * `blitz tui` on its own: the dashboard needs none of the bot, the store or the HTTP server,
 * so `main.ts` builds this small program for it and the dashboard stays light (measured in
 * `deno task bench --only tui`).
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import { ExitCode, ExitRequest } from "./exit_code.ts";
import { printError } from "./output.ts";
import { withMisuseHandling } from "./misuse.ts";
import { registerTuiCommand } from "./tui.ts";

/** Runs `blitz tui …` and returns the exit code. */
export async function runTuiCli(args: string[]): Promise<number> {
  const program = new Command().name("blitz").version(
    VERSION,
    "-V, --version",
    "print the version and exit",
  );
  registerTuiCommand(program as unknown as Command);
  withMisuseHandling(program);
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof ExitRequest) return error.code;
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version"
        ? ExitCode.Ok
        : ExitCode.Usage;
    }
    printError(`blitz: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    return ExitCode.Failure;
  }
}
