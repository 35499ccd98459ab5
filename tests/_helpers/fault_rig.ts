/**
 * Shared setup of the fault suite (`tests/faults/`): the real `blitz run` against a sandbox
 * started in the test process, the figures line each test prints, a seeded random source,
 * bounded waiting, and the real `sqlite3` shell.
 */
import type { Sandbox } from "../../src/sandbox/mod.ts";
import { type BlitzProcess, sandboxRunEnv, spawnBlitz, waitForHttp200 } from "./blitz_process.ts";

/**
 * Prints one test's figures as a single JSON line, `{"row": ..., "figures": {...}}`, so a run's
 * figures can be collected with `grep '^{"row"'`.
 */
export function reportFigures(row: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ row, figures }));
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (bounded) until `check` returns a value other than `undefined`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The p-th percentile (nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Runs the real `sqlite3` shell on `dbPath` with `args` (e.g. a SQL statement); throws on failure. */
export async function sqliteShell(dbPath: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("sqlite3", {
    args: ["-batch", dbPath, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `sqlite3 ${dbPath} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

/** `PRAGMA integrity_check` through the real `sqlite3` shell: "ok", or its complaints. */
export async function shellIntegrity(dbPath: string): Promise<string> {
  return (await sqliteShell(dbPath, "PRAGMA integrity_check;")).trim();
}

/** A `blitz run` started against a sandbox of this process. */
export interface BlitzUnderTest {
  proc: BlitzProcess;
  env: ReturnType<typeof sandboxRunEnv>;
  /** "http://127.0.0.1:PORT" of its HTTP server. */
  httpUrl: string;
}

/** Options of {@link startBlitzAgainst}. */
export interface StartOptions {
  /** Extra environment (overrides the defaults below). */
  env?: Record<string, string>;
  /** Wait for `/health` to answer 200 as well (default true). */
  waitHealthy?: boolean;
  readyTimeoutMs?: number;
}

/**
 * Starts `blitz run` on `dataDir` with `DISCORD_TOKEN`/`DISCORD_API_URL` pointing at `sandbox`
 * and waits for "Bot is ready!". Per-user limits are raised (load comes from few users) and the
 * shot clock is long so that only the test's clicks move games.
 */
export async function startBlitzAgainst(
  sandbox: Sandbox,
  dataDir: string,
  options: StartOptions = {},
): Promise<BlitzUnderTest> {
  const env = sandboxRunEnv(dataDir);
  const proc = spawnBlitz({
    args: ["run"],
    env: {
      ...env,
      DISCORD_TOKEN: sandbox.token,
      DISCORD_API_URL: sandbox.restUrl,
      USER_RATE_BURST: "1000",
      USER_RATE_PER_SECOND: "1000",
      SHOT_CLOCK_SECONDS: "3600",
      ...options.env,
    },
  });
  const httpUrl = `http://127.0.0.1:${env.httpPort}`;
  try {
    await proc.waitForStderr(/Bot is ready!/, options.readyTimeoutMs ?? 30_000);
    if (options.waitHealthy ?? true) await waitForHttp200(`${httpUrl}/health`, proc);
  } catch (error) {
    proc.kill("SIGKILL");
    await proc.exited;
    throw error;
  }
  return { proc, env, httpUrl };
}

/** Stops a blitz with SIGTERM (SIGKILL after `graceMs`) and returns its exit code. */
export async function stopBlitz(proc: BlitzProcess, graceMs = 15_000): Promise<number> {
  proc.kill("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([
    proc.exited,
    new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(-1), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (code === -1) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  return code;
}
