/**
 * Entry point of the `blitz` executable: `blitz tui` and every other verb are two programs,
 * each loaded from one bundle when it can (`cli/program_bundle.ts`), so the dashboard carries
 * none of the bot and the bot none of the dashboard.
 */
import { launchCli, launchTui } from "./cli/launch.ts";

if (import.meta.main) {
  const code = Deno.args[0] === "tui" ? await launchTui(Deno.args) : await launchCli(Deno.args);
  Deno.exit(code);
}
