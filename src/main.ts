/** Entry point of the `blitz` executable. `blitz tui` loads only what the dashboard needs. */
if (import.meta.main) {
  const code = Deno.args[0] === "tui"
    ? await (await import("./cli/tui_program.ts")).runTuiCli(Deno.args)
    : await (await import("./cli/program.ts")).runCli(Deno.args);
  Deno.exit(code);
}
