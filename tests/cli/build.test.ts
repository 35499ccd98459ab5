import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { REPO_ROOT } from "../_helpers/blitz_process.ts";
import { BOT_V8_FLAGS } from "../../src/v8_flags.ts";

async function build(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO_ROOT, "build.ts"), "--output", "/tmp/blitz-build-test-never"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

describe("deno task build", () => {
  it("says plainly that DENORT_BIN points nowhere, and how to fix it, exit 1", async () => {
    const { code, stderr } = await build({ DENORT_BIN: "/nonexistent/denort" });
    expect(code).toBe(1);
    expect(stderr).toContain('DENORT_BIN="/nonexistent/denort" does not exist.');
    expect(stderr).toMatch(/DENORT_BIN=\/path\/to\/denort deno task build/);
  });

  it("explains that denort can be neither found nor downloaded, exit 1", async () => {
    // An empty DENO_DIR has no cached denort; this machine cannot reach dl.deno.land.
    const denoDir = await Deno.makeTempDir();
    try {
      const { code, stderr } = await build({ DENO_DIR: denoDir, HOME: denoDir });
      expect(code).toBe(1);
      expect(stderr).toMatch(/deno compile needs the denort runtime/);
      expect(stderr).toMatch(/cannot be reached/);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  });

  it("bakes the bot's V8 flags into the binary, the same ones deno task start passes", async () => {
    const flags = `--v8-flags=${BOT_V8_FLAGS.join(",")}`;
    expect(BOT_V8_FLAGS).toContain("--heap-growing-percent=100");
    const tasks = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json"))).tasks;
    expect(tasks.start.split(" ")).toContain(flags);
    // Not a denort: deno compile fails, after build.ts printed the command it ran.
    const fake = await Deno.makeTempFile();
    try {
      const { code, stderr } = await build({ DENORT_BIN: fake });
      expect(code).toBe(1);
      const command = stderr.split("\n").find((line) => line.startsWith("deno compile "));
      expect(command?.split(" ")).toContain(flags);
    } finally {
      await Deno.remove(fake);
    }
  });
});
