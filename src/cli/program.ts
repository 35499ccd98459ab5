/**
 * The `blitz` command line (commander). Each verb lives in its own file and is registered
 * here, statically. Misuse (unknown verb or flag, bad argument) prints one error line and
 * the usage, and exits 2.
 */
import { Command } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import { EXIT_CODES_HELP } from "./exit_codes.ts";
import { type AnyCommand, runProgram, withMisuseHandling } from "./misuse.ts";
import { registerRunCommand } from "./run.ts";
import { registerVersionCommand } from "./version.ts";
import { registerTuiCommand } from "./tui_command.ts";
import { launchTui } from "./launch.ts";
import { ExitRequest } from "./exit_code.ts";
import { registerBackupCommand } from "./backup.ts";
import { registerRestoreCommand } from "./restore.ts";
import { registerDbCommand } from "./db.ts";
import { registerExportCommand } from "./export.ts";
import { registerDoctorCommand } from "./doctor.ts";

/** Builds the program with every verb. */
export function buildProgram(): Command {
  const program = new Command()
    .name("blitz")
    .description(
      "Basketball Blitz: a Discord game bot that runs itself.\n" +
        "Without DISCORD_TOKEN, `blitz run` starts against the built-in Discord sandbox.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help for blitz or a verb (blitz run --help)")
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`)
    .showSuggestionAfterError(true);
  registerRunCommand(program);
  registerVersionCommand(program);
  // `main.ts` sends `blitz tui` to the dashboard's own program; this only lists it in the help,
  // and runs it the same way should it be reached.
  registerTuiCommand(program as unknown as Command, async (flags) => {
    const args = ["tui"];
    if (flags.url !== undefined) args.push("--url", flags.url);
    if (flags.tokenFile !== undefined) args.push("--token-file", flags.tokenFile);
    if (flags.dataDir !== undefined) args.push("--data-dir", flags.dataDir);
    throw new ExitRequest(await launchTui(args));
  });
  registerBackupCommand(program);
  registerRestoreCommand(program);
  registerDbCommand(program);
  registerExportCommand(program);
  registerDoctorCommand(program);
  withMisuseHandling(program as AnyCommand);
  return program as unknown as Command;
}

/** Runs the CLI and returns the exit code. */
export function runCli(args: string[]): Promise<number> {
  return runProgram(buildProgram() as unknown as AnyCommand, args);
}
