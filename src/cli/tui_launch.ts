/**
 * Starts `blitz tui` from one pre-bundled module when it can (`tui_bundle.ts`), telling the
 * operator about a first-start bundling and about a fallback to the unbundled sources.
 */
import { resolveDashboardBundle } from "../config/dashboard_target.ts";
import { loadTuiProgram } from "./tui_bundle.ts";

/** Runs `blitz tui …` (`args` start with "tui") and returns the exit code. */
export async function launchTui(args: string[]): Promise<number> {
  let preparing = false;
  const program = await loadTuiProgram({
    ...resolveDashboardBundle(),
    onBundling: () => {
      preparing = true;
      progress("Preparing the dashboard (once after each update)…");
    },
  });
  if (preparing) progress("");
  if (program.fallbackReason) {
    console.error(`Starting the dashboard unbundled: ${program.fallbackReason}`);
  }
  return await program.module.runTuiCli(args);
}

/** One line of progress on stderr that the next call (or "") replaces on a terminal. */
function progress(text: string): void {
  const line = Deno.stderr.isTerminal() ? `\r\x1b[2K${text}` : text ? `${text}\n` : "";
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}
