/**
 * The definition of `blitz tui` (flags and help), shared by the full program, which lists it in
 * `blitz --help`, and by the dashboard's own small program, which runs it (`tui_program.ts`).
 * It imports nothing heavy: the action comes from the caller.
 */
import type { Command } from "@commander-js/extra-typings";
import type { TuiFlags } from "./tui.ts";

/** Adds `blitz tui` to `program`, running `action` with its flags. */
export function registerTuiCommand(
  program: Command,
  action: (flags: TuiFlags) => Promise<void>,
): void {
  program.command("tui")
    .description(
      "live dashboard of the running Blitz: status, resources, games, jobs, backups, logs",
    )
    .option("--url <url>", "the instance's HTTP address (default http://127.0.0.1:BLITZ_HTTP_PORT)")
    .option(
      "--token-file <file>",
      "file holding the admin token (default BLITZ_DATA_DIR/admin.token)",
    )
    .option("-d, --data-dir <dir>", "data directory whose admin.token to use (BLITZ_DATA_DIR)")
    .addHelpText(
      "after",
      "\nKeys: b back up · r restore · f features · m maintenance · v vacuum · / filter log · ? help · q quit\n",
    )
    .action(action);
}
