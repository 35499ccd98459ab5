/** `blitz version`: prints the version, the Deno/V8 versions and the platform. */
import type { Command } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import { printLine } from "./output.ts";

/** Registers `blitz version`. */
export function registerVersionCommand(program: Command): void {
  program.command("version")
    .description("print the version of Blitz and its runtime")
    .option("--json", "print as JSON")
    .action((options) => {
      const info = {
        blitz: VERSION,
        deno: Deno.version.deno,
        v8: Deno.version.v8,
        platform: `${Deno.build.os}-${Deno.build.arch}`,
      };
      if (options.json) printLine(JSON.stringify(info));
      else printLine(`blitz ${info.blitz} (deno ${info.deno}, v8 ${info.v8}, ${info.platform})`);
    });
}
