/**
 * Starts one of Blitz's two programs from its pre-bundled module when it can
 * (`program_bundle.ts`): `blitz tui` and every other verb.
 */
import { resolveProgramBundle } from "../config/dashboard_target.ts";
import { noteUnbundled } from "../launch_note.ts";
import {
  CLI_PROGRAM,
  type LoadedProgram,
  loadProgram,
  type ProgramSpec,
  TUI_PROGRAM,
} from "./program_bundle.ts";

/** Runs `blitz tui …` (`args` start with "tui") and returns the exit code. */
export async function launchTui(args: string[]): Promise<number> {
  // The dashboard owns a terminal: it says why it runs unbundled, wherever stderr goes.
  const program = await load(TUI_PROGRAM, "the dashboard", true);
  return await program.module.runTuiCli(args);
}

/** Runs any other `blitz …` command and returns the exit code. */
export async function launchCli(args: string[]): Promise<number> {
  // The bot's stderr is its log (JSON lines with LOG_FORMAT=json): notes only on a terminal.
  const program = await load(CLI_PROGRAM, "Blitz", Deno.stderr.isTerminal());
  return await program.module.runCli(args);
}

async function load<Module>(
  spec: ProgramSpec<Module>,
  what: string,
  explain: boolean,
): Promise<LoadedProgram<Module>> {
  let preparing = false;
  const program = await loadProgram(spec, {
    ...resolveProgramBundle(),
    onBundling: () => {
      preparing = true;
      progress(`Preparing ${what} (once after each update)…`);
    },
  });
  if (preparing) progress("");
  if (program.fallbackReason && explain) {
    console.error(`Starting ${what} unbundled: ${program.fallbackReason}`);
  }
  if (program.fallbackReason) noteUnbundled(program.fallbackReason);
  return program;
}

/** One line of progress on stderr that the next call (or "") replaces; only on a terminal. */
function progress(text: string): void {
  if (!Deno.stderr.isTerminal()) return;
  Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${text}`));
}
