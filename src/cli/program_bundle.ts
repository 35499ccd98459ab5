/**
 * Blitz's two programs (`blitz tui` and every other verb), each run from its own bundle.
 *
 * Loading a program as hundreds of separate modules (commander, discordeno, hono, zod, Ink,
 * React, ours) costs the process far more memory than loading the same code as one bundle: the
 * dashboard idle 105 → 86 MiB (`deno task bench --only tui`, docs/DECISIONS.md D19), the bot
 * with 5,000 games open 110–112 → 98 MiB (`--only concurrency`, D24). So:
 *
 * - the compiled binary carries both bundles, written by `build.ts` and embedded under `dist/`;
 * - under `deno run`, the first start after the sources (or the lock file, or Deno) change
 *   bundles the program with `deno bundle` (a second or two) into the cache directory, named by
 *   a fingerprint of those sources, and later starts reuse it.
 *
 * Anything that goes wrong on the way (no `deno bundle`, an unwritable cache, a damaged cached
 * bundle) falls back to loading the sources as they are: heavier, never broken.
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sourceRootUrl } from "../source_root.ts";

/** One of the two programs. */
export interface ProgramSpec<Module> {
  /** Names the bundle's folder: `dist/<name>`, `<cache>/<name>-<fingerprint>`. */
  name: "tui" | "blitz";
  /** The program's module, relative to the repository root. */
  entry: string;
  /** Minify (the dashboard: smaller; the bot's minified bundle does not load, see D24). */
  minify: boolean;
  /** Is this what the program's module exports? */
  accepts(module: unknown): module is Module;
}

/** What the `blitz tui` program module provides. */
export interface TuiProgramModule {
  runTuiCli(args: string[]): Promise<number>;
}

/** What the `blitz` program module provides. */
export interface CliProgramModule {
  runCli(args: string[]): Promise<number>;
}

const exportsFunction = (name: string) => (module: unknown): boolean =>
  typeof (module as Record<string, unknown> | null)?.[name] === "function";

/** `blitz tui`. */
export const TUI_PROGRAM: ProgramSpec<TuiProgramModule> = {
  name: "tui",
  entry: "src/cli/tui_program.ts",
  minify: true,
  accepts: exportsFunction("runTuiCli") as (m: unknown) => m is TuiProgramModule,
};

/** Every other verb (`blitz run`, `blitz backup`, …). */
export const CLI_PROGRAM: ProgramSpec<CliProgramModule> = {
  name: "blitz",
  entry: "src/cli/program.ts",
  minify: false,
  accepts: exportsFunction("runCli") as (m: unknown) => m is CliProgramModule,
};

/**
 * Where `build.ts` writes a program's bundle for `deno compile` to embed (a folder, relative to
 * the repository).
 */
export function embeddedBundle(program: ProgramSpec<unknown>): string {
  return `dist/${program.name}`;
}

/**
 * A bundle is a folder: the program's module, named after its entry (`program.js`), and the
 * chunks it imports only when needed (the sandbox, zstd), which `deno bundle --code-splitting`
 * keeps apart. Measured on the bot idle: 17.8 MB of JavaScript heap split, 19.8 MB in one file.
 */
export function bundleEntry(program: ProgramSpec<unknown>, folder: string): string {
  return join(folder, basename(program.entry).replace(/\.tsx?$/, ".js"));
}

/** How a program was loaded, for the caller's messages and for tests. */
export interface LoadedProgram<Module> {
  module: Module;
  /** "bundle": one module (from `file`); "source": the separate modules. */
  from: "bundle" | "source";
  file?: string;
  /** Why the bundle was not used, when it was wanted. */
  fallbackReason?: string;
}

const ROOT_URL = sourceRootUrl(import.meta.url, "src/cli/program_bundle.ts");
const REPO_ROOT = fileURLToPath(ROOT_URL);
/** Ink's optional devtools bridge, only loaded with DEV=true; the bundle gets an empty stand-in. */
const DEVTOOLS_IMPORT = /import\s*([\w$]+)\s*from\s*"react-devtools-core";?/g;

/** Options for {@link loadProgram}, from `resolveProgramBundle` in `src/config`. */
export interface LoadProgramOptions {
  /** false: load the sources as they are (BLITZ_BUNDLE=0). */
  bundle: boolean;
  /** Where bundles built under `deno run` are kept. */
  cacheDir: string;
  /** Told about a first-start bundling, which takes a second or two. */
  onBundling?: () => void;
}

/** Loads a program, from a bundle when it can (see the module comment). */
export async function loadProgram<Module>(
  program: ProgramSpec<Module>,
  options: LoadProgramOptions,
): Promise<LoadedProgram<Module>> {
  const fromSource = async (fallbackReason?: string): Promise<LoadedProgram<Module>> => ({
    // A computed specifier: a literal one would put the program's hundreds of modules into the
    // module graph of every `deno run` that loads this file (see `main.ts`).
    module: await import(new URL(program.entry, ROOT_URL).href) as Module,
    from: "source",
    fallbackReason,
  });
  if (!options.bundle) return await fromSource();
  let file: string;
  try {
    file = Deno.build.standalone
      ? bundleEntry(program, join(REPO_ROOT, embeddedBundle(program)))
      : await cachedBundle(program, options.cacheDir, options.onBundling);
  } catch (error) {
    return await fromSource(String((error as Error).message).split("\n")[0]);
  }
  try {
    const module = await import(pathToFileURL(file).href);
    if (!program.accepts(module)) {
      throw new TypeError(`it does not export the ${program.name} program`);
    }
    return { module, from: "bundle", file };
  } catch (error) {
    // A damaged cached bundle is rebuilt next time; the embedded one is left as it is.
    if (!Deno.build.standalone) {
      await Deno.remove(dirname(file), { recursive: true }).catch(() => {});
    }
    const firstLine = String((error as Error).message).split("\n")[0];
    return await fromSource(`cannot load "${file}": ${firstLine}`);
  }
}

/** Returns the cached bundle for the current sources, building it first if there is none. */
async function cachedBundle(
  program: ProgramSpec<unknown>,
  cacheDir: string,
  onBundling?: () => void,
): Promise<string> {
  const fingerprint = await sourceFingerprint(REPO_ROOT);
  const folder = join(cacheDir, `${program.name}-${fingerprint}`);
  const file = bundleEntry(program, folder);
  if (existsFile(file)) return file;
  try {
    await Deno.mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new Error(
      `cannot create the cache folder "${cacheDir}" (${(error as Error).message}); ` +
        "set BLITZ_CACHE_DIR to a writable folder",
    );
  }
  onBundling?.();
  await bundleProgram(program, folder);
  await analyseBundle(file);
  await removeOtherBundles(program, cacheDir, folder);
  return file;
}

/**
 * Has Deno analyse a new bundle's imports in a short-lived process (`deno cache`, a fraction of
 * a second), which Deno remembers in its own cache. Otherwise the process that loads the bundle
 * first analyses its 2 MB itself and keeps what it built for as long as it runs: measured,
 * a bot started right after an update held 30 MiB more than the same bot started again.
 * If it fails, that memory is the only cost.
 */
async function analyseBundle(file: string): Promise<void> {
  try {
    await new Deno.Command(Deno.execPath(), {
      args: ["cache", "--quiet", file],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  } catch { /* see above */ }
}

/**
 * A fingerprint of everything a bundle can be made from: the files under `src/` and `tui/`,
 * `deno.json`, `deno.lock` (the npm versions) and the Deno version (its bundler). Hashing all
 * of them (about 1 MB) takes a few milliseconds; an exact import list would take longer. The
 * files are hashed one at a time, as bytes: joined into one string first, they left 2–3 MB of
 * garbage in the heap of every process that starts.
 */
export async function sourceFingerprint(root: string): Promise<string> {
  const hash = createHash("sha256").update(`deno ${Deno.version.deno}`);
  const files = [
    ...listSources(join(root, "src"), "src"),
    ...listSources(join(root, "tui"), "tui"),
    "deno.json",
    "deno.lock",
  ].sort();
  for (const relative of files) {
    hash.update(`\0\0${relative}\0`);
    try {
      hash.update(await Deno.readFile(join(root, relative)));
    } catch { /* a missing lock file is part of the fingerprint too */ }
  }
  return hash.digest("hex").slice(0, 16);
}

function listSources(dir: string, relative: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory) out.push(...listSources(join(dir, entry.name), path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Bundles a program with `deno bundle` into the folder `outDir` (see {@link bundleEntry}),
 * which appears whole or not at all. If the folder exists already (another process built the same
 * bundle meanwhile), that one is kept. Throws with the bundler's message when it fails.
 */
export async function bundleProgram(program: ProgramSpec<unknown>, outDir: string): Promise<void> {
  const partial = `${outDir}.${Deno.pid}.partial`;
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        "--code-splitting",
        ...(program.minify ? ["--minify"] : []),
        "--external",
        "react-devtools-core",
        "--outdir",
        partial,
        program.entry,
      ],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const said = new TextDecoder().decode(out.stderr).trim().split("\n").slice(0, 3).join(" ");
      throw new Error(`deno bundle failed (exit ${out.code}): ${said || "no message"}`);
    }
    if (!Deno.statSync(bundleEntry(program, partial)).isFile) {
      throw new Error(`deno bundle wrote no ${basename(bundleEntry(program, partial))}`);
    }
    for (const entry of Deno.readDirSync(partial)) {
      if (!entry.name.endsWith(".js")) continue;
      const path = join(partial, entry.name);
      const text = await Deno.readTextFile(path);
      const patched = text.replace(DEVTOOLS_IMPORT, "const $1={};");
      if (/from\s*"react-devtools-core"/.test(patched)) {
        throw new Error("the bundle still imports react-devtools-core");
      }
      if (patched !== text) await Deno.writeTextFile(path, patched);
    }
    try {
      await Deno.rename(partial, outDir);
    } catch (error) {
      // Another process finished the same bundle first (a folder is not replaced by a rename):
      // theirs is as good. `build.ts` empties its own folder before it bundles.
      if (!existsFile(bundleEntry(program, outDir))) throw error;
    }
  } finally {
    await Deno.remove(partial, { recursive: true }).catch(() => {});
  }
}

function existsFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function removeOtherBundles(
  program: ProgramSpec<unknown>,
  cacheDir: string,
  keep: string,
): Promise<void> {
  // Folders, and the single files that earlier versions wrote.
  const pattern = new RegExp(`^${program.name}-[0-9a-f]+(\\.js)?$`);
  for await (const entry of Deno.readDir(cacheDir)) {
    const path = join(cacheDir, entry.name);
    if (path !== keep && pattern.test(entry.name)) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
}
