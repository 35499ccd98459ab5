/** Misuse handling shared by every program: one error line, the usage, exit 2. */
import { type Command, CommanderError } from "@commander-js/extra-typings";
import { ExitCode, ExitRequest } from "./exit_code.ts";
import { printError } from "./output.ts";

// deno-lint-ignore no-explicit-any
export type AnyCommand = Command<any, any, any>;

/** Applies Blitz's misuse handling to a command and all its subcommands. */
export function withMisuseHandling(command: AnyCommand): void {
  command.exitOverride();
  command.configureOutput({
    outputError: (text, write) => {
      const usage = `Usage: ${commandPath(command)} ${command.usage()}`;
      write(`${text.trim()}\n${usage}\nRun "${commandPath(command)} --help" for details.\n`);
    },
  });
  for (const sub of command.commands) withMisuseHandling(sub as AnyCommand);
}

function commandPath(command: AnyCommand): string {
  const names: string[] = [];
  for (let c: AnyCommand | null = command; c; c = c.parent as AnyCommand | null) {
    names.unshift(c.name());
  }
  return names.join(" ");
}

/** Parses `args` with `program` and turns how it ended into an exit code. */
export async function runProgram(program: AnyCommand, args: string[]): Promise<number> {
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof ExitRequest) return error.code;
    if (error instanceof CommanderError) {
      // "commander.help" is help shown because no verb was given: misuse.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return ExitCode.Ok;
      }
      return ExitCode.Usage;
    }
    printError(`blitz: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    return ExitCode.Failure;
  }
}
