/**
 * glibc's `malloc_trim(0)`, through FFI: it hands the free pages of the C heap (SQLite, Deno's
 * HTTP and WebSocket buffers, V8's off-heap data) back to the OS. glibc keeps every page a burst
 * has touched, and `free` only ever returns the top of the heap, so after 5,000 games were opened
 * the bot held 13 MiB of C heap at rest, 5.8 MiB of it free; one call returned 9.4 MiB of
 * anonymous memory in all (docs/DECISIONS.md D32).
 *
 * Only glibc's own library, at the usual paths, is ever opened: it is the C library the `deno`
 * executable is linked against and already loaded, so no new code enters the process. The compiled
 * binary is allowed FFI on exactly these paths (`build.ts`). Without that permission, or on a
 * system without glibc (musl, macOS), there is nothing to call and the trimmer runs without it.
 */

/** Where glibc's C library is on the Linux distributions we know (Debian/Ubuntu, Fedora/RHEL, Arch). */
export const GLIBC_PATHS: readonly string[] = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/usr/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/usr/lib/libc.so.6",
];

/**
 * A function that runs `malloc_trim(0)` and says whether it returned memory, or undefined when
 * there is no glibc to call or no permission to call it. Never prompts for the permission.
 */
export function findMallocTrim(
  paths: readonly string[] = GLIBC_PATHS,
): (() => boolean) | undefined {
  if (Deno.build.os !== "linux") return undefined;
  for (const path of paths) {
    try {
      if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") continue;
      const lib = Deno.dlopen(path, { malloc_trim: { parameters: ["usize"], result: "i32" } });
      return () => lib.symbols.malloc_trim(0n) === 1;
    } catch {
      // Not there, or not glibc (no malloc_trim): try the next path.
    }
  }
  return undefined;
}
