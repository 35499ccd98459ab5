/**
 * Where the repository's files are, for the few modules that load others by path (the backup
 * worker, the programs' sources). Run from the sources, a module knows its own place; run from a
 * bundle of its program (`src/cli/program_bundle.ts`) it does not, and the entry point
 * (`src/main.ts`, `Deno.mainModule`) tells instead.
 */

/**
 * The repository root as a URL ending in "/". `moduleUrl` is the caller's `import.meta.url` and
 * `pathFromRoot` the caller's own path in the repository, such as "src/ops/backup/runner.ts".
 */
export function sourceRootUrl(moduleUrl: string, pathFromRoot: string): URL {
  if (moduleUrl.endsWith(`/${pathFromRoot}`)) {
    return new URL("../".repeat(pathFromRoot.split("/").length - 1) || "./", moduleUrl);
  }
  return new URL("../", Deno.mainModule);
}
