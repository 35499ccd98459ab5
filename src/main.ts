/** Entry point of the `blitz` executable. */
import { runCli } from "./cli/program.ts";

if (import.meta.main) {
  const code = await runCli(Deno.args);
  Deno.exit(code);
}
