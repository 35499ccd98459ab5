/** Starts `blitz run` (sandbox mode, no simulated players) for a benchmark and stops it after. */
import { BOT_V8_FLAGS } from "../src/v8_flags.ts";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** A running Blitz for a benchmark. */
export interface BenchBlitz {
  pid: number;
  url: string;
  sandboxUrl: string;
  stop(): Promise<number>;
}

/** Starts Blitz on `dataDir` and waits for `/health` 200. */
export async function startBlitzForBench(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<BenchBlitz> {
  const httpPort = freePort();
  const sandboxPort = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `--v8-flags=${BOT_V8_FLAGS.join(",")}`, MAIN, "run"],
    env: {
      BLITZ_DATA_DIR: dataDir,
      BLITZ_HTTP_HOST: "127.0.0.1",
      BLITZ_HTTP_PORT: String(httpPort),
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_PLAYERS: "0",
      LOG_LEVEL: "warning",
      NO_COLOR: "1",
      ...env,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/health`);
      await r.body?.cancel();
      if (r.status === 200) break;
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    pid: child.pid,
    url,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      return (await child.status).code;
    },
  };
}
