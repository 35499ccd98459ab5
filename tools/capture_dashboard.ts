/**
 * Writes docs/dashboard.txt: the 120×40 screen of `blitz tui` against a sandbox instance with
 * simulated players, as tmux shows it. `deno run -A tools/capture_dashboard.ts`
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dataDir = await Deno.makeTempDir({ prefix: "blitz-capture-" });
const port = (p: number) => String(p);
const env = {
  BLITZ_DATA_DIR: dataDir,
  BLITZ_HTTP_HOST: "127.0.0.1",
  BLITZ_HTTP_PORT: port(18700),
  SANDBOX_PORT: port(18701),
  SANDBOX_PLAYERS: "8",
  LOG_LEVEL: "info",
  NO_COLOR: "1",
};
const blitz = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--quiet", join(root, "src/main.ts"), "run"],
  env,
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch("http://127.0.0.1:18700/health").then((r) => r.status === 200).catch(
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", { args: ["-L", "blitz-capture", ...args] }).output();
  await tmux(
    "new-session",
    "-d",
    "-s",
    "cap",
    "-x",
    "120",
    "-y",
    "40",
    `cd ${root} && NO_COLOR=1 BLITZ_DATA_DIR=${dataDir} BLITZ_HTTP_PORT=18700 ${Deno.execPath()} run -A --quiet src/main.ts tui`,
  );
  // Let the simulated players play for a while and make one backup so every panel has data.
  await new Promise((r) => setTimeout(r, 25_000));
  await tmux("send-keys", "-t", "cap", "b");
  await new Promise((r) => setTimeout(r, 8_000));
  const out = await new Deno.Command("tmux", {
    args: ["-L", "blitz-capture", "capture-pane", "-t", "cap", "-p"],
    stdout: "piped",
  })
    .output();
  const screen = new TextDecoder().decode(out.stdout).replace(/\s+$/gm, "");
  await Deno.writeTextFile(join(root, "docs/dashboard.txt"), screen + "\n");
  await tmux("kill-server");
  console.log(screen);
} finally {
  blitz.kill("SIGTERM");
  await blitz.status;
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
