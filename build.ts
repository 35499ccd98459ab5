/**
 * `deno task build`: compiles Blitz into the single executable `./blitz` with `deno compile`.
 *
 * `deno compile` embeds the program into `denort`, Deno's runtime without the toolchain,
 * which it normally downloads from dl.deno.land. Where that cannot be reached, set
 * DENORT_BIN to a denort binary of the same Deno version. This script checks for both and
 * says plainly what is missing instead of failing with a network error.
 *
 * Usage: deno task build [--output PATH] [--target TRIPLE]
 */
import { join } from "node:path";
import {
  bundleProgram,
  CLI_PROGRAM,
  embeddedBundle,
  TUI_PROGRAM,
} from "./src/cli/program_bundle.ts";
import { BOT_V8_FLAGS } from "./src/v8_flags.ts";
import { GLIBC_PATHS } from "./src/ops/native_trim.ts";

const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
  // FFI on glibc's C library only, for malloc_trim (src/ops/native_trim.ts, docs/DECISIONS.md D32).
  `--allow-ffi=${GLIBC_PATHS.join(",")}`,
];

function argValue(name: string): string | undefined {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

function fail(lines: string[]): never {
  console.error(lines.join("\n"));
  Deno.exit(1);
}

const output = argValue("--output") ?? "blitz";
const target = argValue("--target") ?? Deno.build.target;
const version = Deno.version.deno;
const denortBin = Deno.env.get("DENORT_BIN");
const howToFix = [
  "How to fix it:",
  `  1. On a machine with internet, download denort for Deno ${version} and ${target}:`,
  `       https://dl.deno.land/release/v${version}/denort-${target}.zip`,
  "  2. Unzip it next to this checkout and point DENORT_BIN at the binary:",
  `       DENORT_BIN=/path/to/denort deno task build`,
  "Everything else (deno task start, deno task test) works without it: they run src/main.ts directly.",
];

if (denortBin !== undefined) {
  try {
    const info = Deno.statSync(denortBin);
    if (!info.isFile) fail([`DENORT_BIN="${denortBin}" is not a file.`, ...howToFix]);
  } catch {
    fail([`DENORT_BIN="${denortBin}" does not exist.`, ...howToFix]);
  }
} else {
  const denoDir = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? ".", ".cache", "deno");
  const cached = join(denoDir, "dl", "release", `v${version}`, `denort-${target}.zip`);
  let inCache = false;
  try {
    inCache = Deno.statSync(cached).isFile;
  } catch { /* not cached */ }
  if (!inCache) {
    const reachable = await fetch(`https://dl.deno.land/release/v${version}/denort-${target}.zip`, {
      method: "HEAD",
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.ok).catch(() => false);
    if (!reachable) {
      fail([
        `Cannot build: deno compile needs the denort runtime (Deno ${version}, ${target}).`,
        `It is not in the Deno cache (${cached}), DENORT_BIN is not set,`,
        "and dl.deno.land cannot be reached from this machine to download it.",
        ...howToFix,
      ]);
    }
  }
}

// Both programs run from one bundle each (src/cli/program_bundle.ts): build them for the binary.
for (const program of [CLI_PROGRAM, TUI_PROGRAM]) {
  try {
    await Deno.mkdir("dist", { recursive: true });
    await Deno.remove(embeddedBundle(program), { recursive: true }).catch(() => {});
    await bundleProgram(program, embeddedBundle(program));
  } catch (error) {
    fail([`Cannot bundle ${program.entry}: ${(error as Error).message}`]);
  }
}

// Modules loaded by computed specifiers at run time (the backup worker, the two bundles and the
// programs' sources they fall back to): deno compile only embeds them when listed.
const INCLUDES = [
  "src/ops/backup/worker.ts",
  "src/cli/program.ts",
  "src/cli/tui_program.ts",
  embeddedBundle(CLI_PROGRAM),
  embeddedBundle(TUI_PROGRAM),
].flatMap((file) => ["--include", file]);
const args = [
  "compile",
  ...PERMISSIONS,
  // As deno.json's "unstable" list: Deno.serve's request.signal aborts only when the client goes
  // away, not after every answer (the sandbox's stall fault listens for it; D39).
  "--unstable-no-legacy-abort",
  // The bot's V8 flags (src/v8_flags.ts), as `deno task start` passes them.
  `--v8-flags=${BOT_V8_FLAGS.join(",")}`,
  ...INCLUDES,
  "--target",
  target,
  "--output",
  output,
  "src/main.ts",
];
console.error(`deno ${args.join(" ")}${denortBin ? `  (DENORT_BIN=${denortBin})` : ""}`);
const status = await new Deno.Command(Deno.execPath(), {
  args,
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
if (!status.success) fail([`deno compile failed (exit ${status.code}); see above.`]);

// Smoke test: the binary must run Blitz (a `deno` CLI given as DENORT_BIN builds a REPL instead).
if (target === Deno.build.target) {
  const smoke = await new Deno.Command(join(".", output), {
    args: ["version"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  }).output().catch((error) => ({ success: false, stdout: new Uint8Array(), error }));
  const printed = new TextDecoder().decode(smoke.stdout);
  if (!smoke.success || !printed.startsWith("blitz ")) {
    await Deno.remove(output).catch(() => {});
    fail([
      `The built binary does not run Blitz ("./${output} version" printed ${
        JSON.stringify(printed.slice(0, 60))
      }).`,
      "DENORT_BIN must be the denort runtime, not the deno CLI; the broken binary was removed.",
      ...howToFix,
    ]);
  }
}
console.error(`Built ./${output}: run "./${output} run" (see ./${output} --help).`);
