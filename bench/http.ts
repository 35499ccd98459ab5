/** HTTP: `/health` and `/metrics` requests per second from a second process on loopback. */
import { fileURLToPath } from "node:url";
import { type Bench, benchDir, cpuSecondsOf, type Figure, round } from "./lib.ts";
import { startBlitzForBench } from "./blitz_proc.ts";

const LOAD = fileURLToPath(new URL("./http_load.ts", import.meta.url));

async function load(url: string, seconds: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LOAD, url, String(seconds), "16"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)) as {
    requests: number;
    errors: number;
    perSecond: number;
    p50: number;
    p99: number;
  };
}

/** Requests per second on the public routes. */
export const httpBench: Bench = {
  name: "http",
  description:
    "/health and /metrics requests/s from a second process on loopback (16 connections, 5 s each)",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    const blitz = await startBlitzForBench(dir);
    try {
      const figures: Figure[] = [];
      for (const path of ["/health", "/metrics"]) {
        const cpuBefore = cpuSecondsOf(blitz.pid);
        const result = await load(`${blitz.url}${path}`, 5);
        const cpu = cpuSecondsOf(blitz.pid) - cpuBefore;
        figures.push(
          {
            name: `${path} requests/s`,
            value: round(result.perSecond, 0),
            unit: "req/s",
            note: `${result.errors} errors`,
          },
          {
            name: `${path} latency p50 / p99`,
            value: round(result.p50, 2),
            unit: "ms",
            note: `p99 ${round(result.p99, 2)} ms`,
          },
          {
            name: `${path} Blitz CPU while loaded`,
            value: round((cpu / 5) * 100, 0),
            unit: "% core",
          },
        );
      }
      return figures;
    } finally {
      await blitz.stop();
      await cleanup();
    }
  },
};
