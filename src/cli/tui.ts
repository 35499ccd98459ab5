/**
 * `blitz tui`: the live dashboard of a running Blitz, through its admin API only (never the
 * database). Defaults come from the same configuration as `blitz run`.
 */
import { join } from "node:path";
import {
  type DashboardTarget,
  DashboardTargetError,
  resolveDashboardTarget,
} from "../config/dashboard_target.ts";
import { ExitCode, ExitRequest } from "./exit_code.ts";
import { printError } from "./output.ts";

/** The flags of `blitz tui` (see `tui_command.ts`). */
export interface TuiFlags {
  url?: string;
  tokenFile?: string;
  dataDir?: string;
}

/** Runs `blitz tui`: resolves the instance and its token, then shows the dashboard until `q`. */
export async function runTuiAction(flags: TuiFlags): Promise<void> {
  let config: DashboardTarget;
  try {
    config = resolveDashboardTarget({ flags: { BLITZ_DATA_DIR: flags.dataDir } });
  } catch (error) {
    if (!(error instanceof DashboardTargetError)) throw error;
    printError(error.message);
    throw new ExitRequest(ExitCode.Config);
  }
  const host = config.httpHost === "0.0.0.0" || config.httpHost === "::"
    ? "127.0.0.1"
    : config.httpHost;
  const url = flags.url ?? `http://${host}:${config.httpPort}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError("not http(s)");
    }
  } catch {
    printError(
      `--url "${url}" is not an http:// or https:// address (for example --url http://127.0.0.1:8000)`,
    );
    throw new ExitRequest(ExitCode.Usage);
  }
  const tokenFile = flags.tokenFile ?? join(config.dataDir, "admin.token");
  let token: string;
  try {
    token = (await Deno.readTextFile(tokenFile)).trim();
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    printError(
      `Cannot read the admin token "${tokenFile}": ${why}. ` +
        `"blitz run" creates it in its data directory on first start; pass --token-file or --data-dir to point at it.`,
    );
    throw new ExitRequest(ExitCode.Config);
  }
  if (!Deno.stdin.isTerminal()) {
    printError(
      "blitz tui needs an interactive terminal (stdin is not a TTY); use the /api routes for scripts.",
    );
    throw new ExitRequest(ExitCode.Usage);
  }
  // Ink renders only a final frame when it sees CI=… (is-in-ci, read when ink loads). A
  // dashboard on a TTY is interactive whatever the environment says, so drop it first.
  Deno.env.delete("CI");
  const { preferProductionReact } = await import("../../tui/lean.ts");
  preferProductionReact();
  const { runDashboard } = await import("../../tui/main.tsx");
  await runDashboard({ url, token, tokenHint: tokenFile });
}
