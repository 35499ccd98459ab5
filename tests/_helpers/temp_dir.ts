/** Temporary directories that tests clean up after themselves. */
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(async () => {
  while (made.length > 0) {
    await Deno.remove(made.pop()!, { recursive: true }).catch(() => {});
  }
});

/** A new empty directory, removed when the test file finishes. */
export async function tempDir(prefix = "blitz-test-"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  made.push(dir);
  return dir;
}
