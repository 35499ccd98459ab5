/**
 * Entry point of the `blitz` executable. `blitz tui` loads only what the dashboard needs.
 *
 * The two programs are imported through computed specifiers on purpose: `deno run` builds its
 * module graph through every literal `import()`, so the bot would load the dashboard's ~600
 * modules into its graph and the dashboard the bot's (measured: 13 MiB more RSS for the
 * dashboard). `build.ts` lists both for `deno compile` with `--include`.
 */
if (import.meta.main) {
  const program = Deno.args[0] === "tui" ? "./cli/tui_launch.ts" : "./cli/program.ts";
  const code = Deno.args[0] === "tui"
    ? await (await import(program) as typeof import("./cli/tui_launch.ts")).launchTui(Deno.args)
    : await (await import(program) as typeof import("./cli/program.ts")).runCli(Deno.args);
  Deno.exit(code);
}
