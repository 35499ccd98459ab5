/**
 * `blitz tui` on its own: the dashboard needs none of the bot, the store or the HTTP server,
 * so `main.ts` builds this small program for it and the dashboard stays light (measured in
 * `deno task bench --only tui`).
 */
import { Command } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import { runProgram, withMisuseHandling } from "./misuse.ts";
import { runTuiAction } from "./tui.ts";
import { registerTuiCommand } from "./tui_command.ts";

/** Runs `blitz tui …` and returns the exit code. */
export function runTuiCli(args: string[]): Promise<number> {
  const program = new Command().name("blitz").version(
    VERSION,
    "-V, --version",
    "print the version and exit",
  );
  registerTuiCommand(program as unknown as Command, runTuiAction);
  withMisuseHandling(program);
  return runProgram(program, args);
}
