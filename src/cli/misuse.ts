/** Misuse handling shared by every program: one error line, the usage, exit 2. */
import type { Command } from "@commander-js/extra-typings";

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
