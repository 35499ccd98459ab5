/** The dashboard's own weight: `blitz tui` RSS and CPU while idle in a 120×40 terminal (tmux). */
import { fileURLToPath } from "node:url";
import {
  type Bench,
  benchDir,
  cpuSecondsOf,
  type Figure,
  memorySplitOf,
  round,
  rssOf,
} from "./lib.ts";
import { startBlitzForBench } from "./blitz_proc.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", "blitz-bench", ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

/** Finds the pid of the deno process running `tui` under the tmux pane. */
function tuiPid(panePid: number): number | undefined {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0");
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (
        cmd.includes("tui") && cmd.some((c) => c.endsWith("main.ts")) &&
        (ppid === panePid || Number(entry.name) === panePid)
      ) {
        return Number(entry.name);
      }
    } catch { /* gone */ }
  }
  return undefined;
}

/** Starts the dashboard in a 120×40 tmux session "bench"; returns its pid once it is drawn. */
async function startDashboard(command: string): Promise<number> {
  await tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "40", command);
  let pid: number | undefined;
  for (let i = 0; i < 300 && !pid; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const panePid = Number(
      (await tmux("display-message", "-p", "-t", "bench", "#{pane_pid}")).trim(),
    );
    pid = tuiPid(panePid);
  }
  if (!pid) throw new Error("could not find the tui process");
  for (let i = 0; i < 300; i++) {
    if ((await tmux("capture-pane", "-p", "-t", "bench")).includes("ONLINE")) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the dashboard did not show the instance online");
}

/** The dashboard idle. */
export const tuiBench: Bench = {
  name: "tui",
  description: "deno task tui idle in a 120×40 terminal for 30 s: its RSS and CPU",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    const blitz = await startBlitzForBench(dir);
    try {
      const port = new URL(blitz.url).port;
      // The README's command (`deno task tui`), run twice: the first start after an update
      // bundles the dashboard into an empty cache (see src/cli/program_bundle.ts); the second is what
      // an operator keeps open.
      const command = `cd ${ROOT} && BLITZ_DATA_DIR=${dir} BLITZ_HTTP_PORT=${port} ` +
        `BLITZ_CACHE_DIR=${dir}/cache ` +
        `exec ${Deno.execPath()} task --quiet tui`;
      const firstRss = rssOf(await startDashboard(command));
      await tmux("kill-session", "-t", "bench");
      const pid = await startDashboard(command);
      await new Promise((r) => setTimeout(r, 5000)); // settle
      const cpuStart = cpuSecondsOf(pid);
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 30_000));
      const cpu = ((cpuSecondsOf(pid) - cpuStart) / ((performance.now() - started) / 1000)) * 100;
      const rss = rssOf(pid);
      const split = memorySplitOf(pid);
      return [
        {
          name: "tui RSS while idle",
          value: round(rss / 1048576, 1),
          unit: "MiB",
          target: "< 80",
          ok: rss < 80 * 1048576,
          note: `private ${round(split.private / 1048576, 1)} MiB; ${
            round(split.fileShared / 1048576, 1)
          } MiB are executable pages shared with other processes`,
        },
        {
          name: "tui RSS on the first start after an update (bundles first)",
          value: round(firstRss / 1048576, 1),
          unit: "MiB",
        },
        {
          name: "tui CPU while idle",
          value: round(cpu, 2),
          unit: "% core",
          target: "< 5",
          ok: cpu < 5,
        },
      ];
    } finally {
      await tmux("kill-server");
      await blitz.stop();
      await cleanup();
    }
  },
};
