import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  type BlitzProcess,
  REPO_ROOT,
  sandboxRunEnv,
  spawnBlitz,
  TEST_CACHE_DIR,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { hasTmux, startTmux, type TmuxSession } from "../_helpers/tmux.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const tmuxMissing = !hasTmux();

function uptimeOf(screen: string): string | undefined {
  return /Uptime\s+(\S+(?: \S+s)?)/.exec(screen)?.[1];
}

describe.skipIf(tmuxMissing)("blitz tui in a real terminal", () => {
  let dataDir: string;
  let env: ReturnType<typeof sandboxRunEnv>;
  let blitz: BlitzProcess;
  const sessions: TmuxSession[] = [];
  const runEnv = () => ({ ...env, SANDBOX_PLAYERS: "4", HEALTH_INTERVAL_SECONDS: "5" });

  const tuiCommand = () =>
    `cd ${REPO_ROOT} && NO_COLOR=1 BLITZ_CACHE_DIR=${TEST_CACHE_DIR} ${Deno.execPath()} task --quiet tui --url http://127.0.0.1:${env.httpPort} --token-file ${
      join(dataDir, "admin.token")
    }`;

  beforeAll(async () => {
    dataDir = await tempDir();
    env = sandboxRunEnv(dataDir);
    blitz = spawnBlitz({ args: ["run"], env: runEnv() });
    await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
  });
  afterAll(async () => {
    for (const s of sessions) await s.kill();
    blitz.kill("SIGKILL");
  });

  it(
    "shows the uptime ticking and games appearing at 200×50, backs up with b, survives a restart",
    async () => {
      const tui = await startTmux("wide", tuiCommand(), 200, 50);
      sessions.push(tui);
      const first = await tui.waitFor((s) => s.includes("ONLINE"), "the dashboard online");
      const uptime = uptimeOf(first);
      await tui.waitFor(
        (s) => uptimeOf(s) !== undefined && uptimeOf(s) !== uptime,
        "the uptime to tick",
      );
      await tui.waitFor(
        (s) => /Active\s+[1-9]/.test(s) || /1\. \S+ \d+ \(\d+–\d+\)/.test(s),
        "games from simulated players",
        60_000,
      );

      await tui.keys("b");
      const after = await tui.waitFor(
        (s) => s.includes("Backup created:"),
        "the backup result",
        60_000,
      );
      const file = /Backup created: (\S+)/.exec(after)![1]!;
      const onDisk = [...Deno.readDirSync(join(dataDir, "backups"))].map((e) => e.name);
      expect(onDisk).toContain(file);
      await tui.waitFor((s) => /Backups \([1-9]/.test(s), "the new backup listed");

      blitz.kill("SIGTERM");
      expect(await blitz.exited).toBe(0);
      await tui.waitFor(
        (s) => s.includes(`Cannot reach Blitz at http://127.0.0.1:${env.httpPort}`),
        "the unreachable state",
      );

      blitz = spawnBlitz({ args: ["run"], env: runEnv() });
      await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
      await tui.waitFor(
        (s) => s.includes("ONLINE") && !s.includes("Cannot reach"),
        "recovery after restart",
        60_000,
      );
    },
    180_000,
  );

  it("fits 80×24 and quits on q", async () => {
    const tui = await startTmux("small", `${tuiCommand()}; echo EXITED $?`, 80, 24);
    sessions.push(tui);
    const screen = await tui.waitFor((s) => s.includes("ONLINE"), "the dashboard online at 80×24");
    const lines = screen.split("\n");
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(screen).toContain("[resources]");
    await tui.resize(120, 40);
    await tui.waitFor(
      (s) => s.includes("Backups (") && s.includes("Jobs"),
      "the wider layout after a resize",
    );
    await tui.keys("q");
    await tui.waitFor((s) => s.includes("EXITED 0"), "a clean exit");
  }, 120_000);
});
