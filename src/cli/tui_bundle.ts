/**
 * `blitz tui` as one pre-bundled module.
 *
 * Loading the dashboard program (commander, Ink, React, the panels) as ~600 separate modules
 * costs the process about 20 MiB of RSS more than loading the same code as one bundle
 * (`deno task bench --only tui`). So `blitz tui` runs a bundle of `tui_program.ts`:
 *
 * - the compiled binary carries one, written by `build.ts` and embedded at {@link EMBEDDED_BUNDLE};
 * - under `deno run`, the first start after the sources (or the lock file, or Deno) change
 *   bundles them with `deno bundle` (about a second) into the cache directory, named by a
 *   fingerprint of those sources, and later starts reuse it.
 *
 * Anything that goes wrong on the way (no `deno bundle`, an unwritable cache, a damaged cached
 * file) falls back to loading the sources as they are: heavier, never broken.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What the `blitz tui` program module provides. */
export interface TuiProgramModule {
  runTuiCli(args: string[]): Promise<number>;
}

/** How the program was loaded, for the caller's messages and for tests. */
export interface LoadedTuiProgram {
  module: TuiProgramModule;
  /** "bundle": one module (from `file`); "source": the separate modules. */
  from: "bundle" | "source";
  file?: string;
  /** Why the bundle was not used, when it was wanted. */
  fallbackReason?: string;
}

/** Where `build.ts` writes the bundle that `deno compile` embeds (relative to the repository). */
export const EMBEDDED_BUNDLE = "dist/tui.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = "src/cli/tui_program.ts";
const SOURCE_PROGRAM = new URL("./tui_program.ts", import.meta.url).href;
/** Ink's optional devtools bridge, only loaded with DEV=true; the bundle gets an empty stand-in. */
const DEVTOOLS_IMPORT = /import\s*([\w$]+)\s*from\s*"react-devtools-core";?/g;

/** Options for {@link loadTuiProgram}, from `resolveDashboardBundle` in `src/config`. */
export interface LoadTuiProgramOptions {
  /** false: load the sources as they are (BLITZ_TUI_BUNDLE=0). */
  bundle: boolean;
  /** Where bundles built under `deno run` are kept. */
  cacheDir: string;
  /** Told about a first-start bundling, which takes a second or so. */
  onBundling?: () => void;
}

/** Loads the `blitz tui` program, from a bundle when it can (see the module comment). */
export async function loadTuiProgram(options: LoadTuiProgramOptions): Promise<LoadedTuiProgram> {
  const fromSource = async (fallbackReason?: string): Promise<LoadedTuiProgram> => ({
    // A computed specifier: a literal one would put the dashboard's ~600 modules into the
    // module graph of every `deno run` that loads this file (see `main.ts`).
    module: await import(SOURCE_PROGRAM) as TuiProgramModule,
    from: "source",
    fallbackReason,
  });
  if (!options.bundle) return await fromSource();
  let file: string;
  try {
    file = Deno.build.standalone
      ? join(REPO_ROOT, EMBEDDED_BUNDLE)
      : await cachedBundle(options.cacheDir, options.onBundling);
  } catch (error) {
    return await fromSource(String((error as Error).message).split("\n")[0]);
  }
  try {
    const module = await import(pathToFileURL(file).href) as TuiProgramModule;
    if (typeof module.runTuiCli !== "function") throw new TypeError("no runTuiCli export");
    return { module, from: "bundle", file };
  } catch (error) {
    // A damaged cached bundle is rebuilt next time; the embedded one is left as it is.
    if (!Deno.build.standalone) await Deno.remove(file).catch(() => {});
    const firstLine = String((error as Error).message).split("\n")[0];
    return await fromSource(`cannot load "${file}": ${firstLine}`);
  }
}

/** Returns the cached bundle for the current sources, building it first if there is none. */
async function cachedBundle(cacheDir: string, onBundling?: () => void): Promise<string> {
  const fingerprint = await sourceFingerprint(REPO_ROOT);
  const file = join(cacheDir, `tui-${fingerprint}.js`);
  try {
    if (Deno.statSync(file).isFile) return file;
  } catch { /* not built yet */ }
  try {
    await Deno.mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new Error(
      `cannot create the cache folder "${cacheDir}" (${(error as Error).message}); ` +
        "set BLITZ_CACHE_DIR to a writable folder",
    );
  }
  onBundling?.();
  await bundleTuiProgram(file);
  await removeOtherBundles(cacheDir, file);
  return file;
}

/**
 * A fingerprint of everything the bundle can be made from: the files under `src/` and `tui/`,
 * `deno.json`, `deno.lock` (the npm versions) and the Deno version (its bundler). Hashing all
 * of them (about 1 MB) takes a few milliseconds; an exact import list would take longer.
 */
export async function sourceFingerprint(root: string): Promise<string> {
  const parts: string[] = [`deno ${Deno.version.deno}`];
  const files = [
    ...listSources(join(root, "src"), "src"),
    ...listSources(join(root, "tui"), "tui"),
    "deno.json",
    "deno.lock",
  ].sort();
  for (const relative of files) {
    let text = "";
    try {
      text = await Deno.readTextFile(join(root, relative));
    } catch { /* a missing lock file is part of the fingerprint too */ }
    parts.push(`${relative}\0${text}`);
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(parts.join("\0\0")),
  );
  return [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
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
 * Bundles `src/cli/tui_program.ts` with `deno bundle` into `outFile` (written whole or not at all).
 * Throws with the bundler's message when it fails.
 */
export async function bundleTuiProgram(outFile: string): Promise<void> {
  const raw = `${outFile}.${Deno.pid}.raw.js`;
  const partial = `${outFile}.${Deno.pid}.partial`;
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        "--minify",
        "--external",
        "react-devtools-core",
        "--output",
        raw,
        ENTRY,
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
    const text = await Deno.readTextFile(raw);
    const patched = text.replace(DEVTOOLS_IMPORT, "const $1={};");
    if (/from\s*"react-devtools-core"/.test(patched)) {
      throw new Error("the bundle still imports react-devtools-core");
    }
    await Deno.writeTextFile(partial, patched);
    await Deno.rename(partial, outFile);
  } finally {
    await Deno.remove(raw).catch(() => {});
    await Deno.remove(partial).catch(() => {});
  }
}

async function removeOtherBundles(cacheDir: string, keep: string): Promise<void> {
  for await (const entry of Deno.readDir(cacheDir)) {
    const path = join(cacheDir, entry.name);
    if (path !== keep && /^tui-[0-9a-f]+\.js$/.test(entry.name)) {
      await Deno.remove(path).catch(() => {});
    }
  }
}
