import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  type BlitzProcess,
  REPO_ROOT,
  runBlitz,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { freePort } from "../_helpers/ports.ts";
import { seededDataDir } from "../ops/backup_helpers.ts";
import { hasTmux, startTmux, type TmuxSession } from "../_helpers/tmux.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { sourceFingerprint } from "../../src/cli/program_bundle.ts";
import { resolveProgramBundle } from "../../src/config/dashboard_target.ts";

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
}

describe("the programs' bundle fingerprint", () => {
  it("changes with any source under src/ or tui/ and with the lock file, and only then", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "src/main.ts": "export {};",
      "tui/panels/a.tsx": "export const a = 1;",
      "deno.json": "{}",
      "deno.lock": "{}",
      "README.md": "hello",
    });
    const first = await sourceFingerprint(root);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(await sourceFingerprint(root)).toBe(first);

    await Deno.writeTextFile(join(root, "README.md"), "changed");
    expect(await sourceFingerprint(root)).toBe(first);

    await Deno.writeTextFile(join(root, "tui/panels/a.tsx"), "export const a = 2;");
    const second = await sourceFingerprint(root);
    expect(second).not.toBe(first);

    await Deno.writeTextFile(join(root, "deno.lock"), '{"v":2}');
    const third = await sourceFingerprint(root);
    expect(third).not.toBe(second);

    await writeTree(root, { "src/new_file.ts": "export {};" });
    expect(await sourceFingerprint(root)).not.toBe(third);
  });
});

describe("where the bundle is kept", () => {
  it("BLITZ_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache; BLITZ_BUNDLE=0 turns it off", () => {
    expect(resolveProgramBundle({ BLITZ_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }))
      .toEqual({ bundle: true, cacheDir: "/c" });
    expect(resolveProgramBundle({ XDG_CACHE_HOME: "/x", HOME: "/h" }).cacheDir).toBe(
      "/x/blitz",
    );
    expect(resolveProgramBundle({ HOME: "/h" }).cacheDir).toBe("/h/.cache/blitz");
    expect(resolveProgramBundle({}).cacheDir).toBe("/tmp/blitz-cache");
    expect(resolveProgramBundle({ BLITZ_BUNDLE: "0" }).bundle).toBe(false);
  });
});

describe("blitz runs from one bundle", () => {
  const bundlesIn = (dir: string) =>
    [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^blitz-[0-9a-f]+$/.test(n));

  /** `blitz run` in sandbox mode on `cacheDir`; `whileUp` runs once `/health` answers 200. */
  async function withBot<T>(
    cacheDir: string,
    whileUp: (bot: BlitzProcess) => Promise<T>,
  ): Promise<T> {
    const port = freePort();
    const bot = spawnBlitz({
      args: ["run"],
      env: {
        BLITZ_CACHE_DIR: cacheDir,
        BLITZ_DATA_DIR: await tempDir(),
        BLITZ_HTTP_HOST: "127.0.0.1",
        BLITZ_HTTP_PORT: String(port),
        SANDBOX_PORT: String(freePort()),
        SANDBOX_PLAYERS: "0",
      },
    });
    try {
      await waitForHttp200(`http://127.0.0.1:${port}/health`, bot, 60_000);
      return await whileUp(bot);
    } finally {
      bot.kill("SIGTERM");
      await bot.exited;
    }
  }

  it("bundles on the first command, reuses it, and quietly replaces a damaged one", async () => {
    const cacheDir = await tempDir();
    const { dataDir } = await seededDataDir();
    const env = { BLITZ_CACHE_DIR: cacheDir, BLITZ_DATA_DIR: dataDir };
    const first = await runBlitz({ args: ["version"], env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^blitz \d+\.\d+\.\d+/);
    const [bundle] = bundlesIn(cacheDir);
    expect(bundle).toBeDefined();
    const built = Deno.statSync(join(cacheDir, bundle!, "program.js")).mtime!.getTime();

    // A backup runs in a worker, which the bundle must find among the sources.
    const backup = await runBlitz({ args: ["backup"], env });
    expect(backup.stderr).not.toMatch(/\n\s+at /);
    expect(backup.code).toBe(0);
    const listed = await runBlitz({ args: ["backup", "list", "--json"], env });
    expect(JSON.parse(listed.stdout).backups).toHaveLength(1);
    expect(Deno.statSync(join(cacheDir, bundle!, "program.js")).mtime!.getTime()).toBe(built);

    // Damaged: the command still works (from the sources), says nothing on a pipe, and the
    // next one builds the bundle again.
    await Deno.writeTextFile(join(cacheDir, bundle!, "program.js"), "export const runCli = 42;");
    const damaged = await runBlitz({ args: ["version"], env });
    expect(damaged.code).toBe(0);
    expect(damaged.stderr).toBe("");
    expect(bundlesIn(cacheDir)).toEqual([]);
    expect((await runBlitz({ args: ["version"], env })).code).toBe(0);
    expect(bundlesIn(cacheDir)).toEqual([bundle]);
  }, 120_000);

  it("is as light on the first start after an update as on the next one", async () => {
    // Deno keeps what it built to analyse a module it has never seen for the life of the
    // process: 30 MiB for the bundle, unless the bundle was analysed once beforehand.
    const cacheDir = await tempDir();
    const anonymousAfterStart = () =>
      withBot(cacheDir, async (bot) => {
        await new Promise((r) => setTimeout(r, 2000));
        // Measured from the bundle, not from a silent fallback to the sources.
        expect(bot.stderr()).not.toMatch(/Running from the sources/);
        const rollup = Deno.readTextFileSync(`/proc/${bot.pid}/smaps_rollup`);
        return Number(/^Anonymous:\s+(\d+) kB/m.exec(rollup)![1]) / 1024;
      });
    const first = await anonymousAfterStart();
    expect(bundlesIn(cacheDir)).toHaveLength(1);
    const second = await anonymousAfterStart();
    expect(first - second).toBeLessThan(12);
  }, 120_000);

  it(
    "says in the bot's log when it runs from the sources because the bundle is damaged",
    async () => {
      const cacheDir = await tempDir();
      expect((await runBlitz({ args: ["version"], env: { BLITZ_CACHE_DIR: cacheDir } })).code)
        .toBe(0);
      const [bundle] = bundlesIn(cacheDir);
      await Deno.writeTextFile(join(cacheDir, bundle!, "program.js"), "this is not javascript {");
      await withBot(cacheDir, async (bot) => {
        await bot.waitForStderr(/Running from the sources, not the bundle/, 60_000);
        expect(bot.stderr()).toMatch(/cannot load ".*program\.js"/);
      });
    },
    120_000,
  );

  it("runs from the sources with BLITZ_BUNDLE=0", async () => {
    const cacheDir = await tempDir();
    const off = await runBlitz({
      args: ["version"],
      env: { BLITZ_CACHE_DIR: cacheDir, BLITZ_BUNDLE: "0" },
    });
    expect(off.code).toBe(0);
    expect(bundlesIn(cacheDir)).toEqual([]);
  });
});

describe.skipIf(!hasTmux())("blitz tui runs from one bundle, in a real terminal", () => {
  const sessions: TmuxSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.kill();
  });

  interface Started {
    tui: TmuxSession;
    /** What it printed to stderr (kept in a file: the dashboard redraws the whole screen). */
    stderr(): string;
  }

  /** Starts the dashboard against a port where nothing listens: it shows the unreachable state. */
  async function start(name: string, cacheDir: string, extraEnv = ""): Promise<Started> {
    const dir = await tempDir();
    const stderrFile = join(dir, "stderr.txt");
    await Deno.writeTextFile(join(dir, "admin.token"), "t".repeat(43));
    const url = `http://127.0.0.1:${freePort()}`;
    const tui = await startTmux(
      name,
      `cd ${REPO_ROOT} && NO_COLOR=1 BLITZ_CACHE_DIR=${cacheDir} ${extraEnv} ${Deno.execPath()} ` +
        `run -A --quiet src/main.ts tui --url ${url} --token-file ${
          join(dir, "admin.token")
        } 2>${stderrFile}; echo EXITED $?`,
      120,
      40,
    );
    sessions.push(tui);
    await tui.waitFor((s) => s.includes(`Cannot reach Blitz at ${url}`), "the dashboard", 60_000);
    return { tui, stderr: () => Deno.readTextFileSync(stderrFile) };
  }

  /** Quits with q; returns the last screen and what was printed to stderr. */
  async function quit(started: Started): Promise<{ screen: string; stderr: string }> {
    await started.tui.keys("q");
    const screen = await started.tui.waitFor((s) => s.includes("EXITED"), "the dashboard to quit");
    return { screen, stderr: started.stderr() };
  }

  const bundlesIn = (dir: string) =>
    [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^tui-[0-9a-f]+$/.test(n));

  it("bundles on the first start, reuses the bundle, replaces a damaged one", async () => {
    const cacheDir = await tempDir();
    const first = await quit(await start("first", cacheDir));
    expect(first.screen).toContain("EXITED 0");
    expect(first.stderr).toBe(""); // the progress line is for terminals only
    const [bundle] = bundlesIn(cacheDir);
    expect(bundle).toBeDefined();
    const built = Deno.statSync(join(cacheDir, bundle!, "tui_program.js")).mtime!.getTime();

    const second = await quit(await start("second", cacheDir));
    expect(second.stderr).toBe("");
    expect(bundlesIn(cacheDir)).toEqual([bundle]);
    expect(Deno.statSync(join(cacheDir, bundle!, "tui_program.js")).mtime!.getTime()).toBe(built);

    // A damaged bundle: the dashboard still starts (from its sources) and says why.
    await Deno.writeTextFile(join(cacheDir, bundle!, "tui_program.js"), "this is not javascript {");
    const damaged = await quit(await start("damaged", cacheDir));
    expect(damaged.stderr).toMatch(/^Starting the dashboard unbundled: cannot load ".*tui-/);
    expect(damaged.stderr.trim().split("\n")).toHaveLength(1);
    expect(damaged.screen).toContain("EXITED 0");
    expect(bundlesIn(cacheDir)).toEqual([]);

    // … and the next start builds it again.
    await quit(await start("rebuilt", cacheDir));
    expect(bundlesIn(cacheDir)).toEqual([bundle]);
  }, 180_000);

  it("runs unbundled when the cache cannot be written, or when told to", async () => {
    const readOnly = await tempDir();
    await Deno.writeTextFile(join(readOnly, "blocker"), "a file, not a folder");
    const blocked = await quit(await start("blocked", join(readOnly, "blocker", "cache")));
    expect(blocked.stderr).toContain("Starting the dashboard unbundled");
    expect(blocked.screen).toContain("EXITED 0");

    const cacheDir = await tempDir();
    const off = await quit(await start("off", cacheDir, "BLITZ_BUNDLE=0"));
    expect(off.stderr).toBe("");
    expect(off.screen).toContain("EXITED 0");
    expect(bundlesIn(cacheDir)).toEqual([]);
  }, 120_000);
});
