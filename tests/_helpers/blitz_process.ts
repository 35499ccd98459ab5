/**
 * Runs the real `blitz` entry point as a subprocess (`deno run -A src/main.ts ...`), as an
 * operator would, with an isolated environment, and collects what it prints.
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { freePort } from "./ports.ts";

export const REPO_ROOT = fromFileUrl(new URL("../../", import.meta.url));
const MAIN = fromFileUrl(new URL("../../src/main.ts", import.meta.url));

/** Options for {@link spawnBlitz}. */
export interface SpawnOptions {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** A running (or finished) blitz subprocess. */
export interface BlitzProcess {
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  /** Waits until stderr matches `pattern`, or throws with what was printed. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: Deno.Signal): void;
}

/**
 * Where `blitz tui` keeps its bundle during tests (shared by all of them, so it is built once
 * per change, never in the developer's own cache).
 */
export const TEST_CACHE_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/blitz-test-cache`;

/** The base environment: enough for Deno to run, nothing from the developer's shell. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    LOG_LEVEL: "info",
    BLITZ_CACHE_DIR: TEST_CACHE_DIR,
  };
  for (const key of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "TZ"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Starts `blitz <args>`. */
export function spawnBlitz(options: SpawnOptions): BlitzProcess {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...options.args],
    env: { ...baseEnv(), ...options.env },
    clearEnv: true,
    cwd: options.cwd ?? REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>, append: (s: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      append(decoder.decode(chunk, { stream: true }));
      for (const wake of waiters) wake();
    }
  };
  const pumps = Promise.all([
    pump(child.stdout, (s) => (out += s)),
    pump(child.stderr, (s) => (err += s)),
  ]);
  const exited = child.status.then(async (status) => {
    await pumps;
    for (const wake of waiters) wake();
    return status.code;
  });
  let finished = false;
  exited.then(() => (finished = true));
  return {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal: Deno.Signal = "SIGTERM") => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    },
    waitForStderr(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(err)) {
            cleanup();
            resolve();
          } else if (finished) {
            cleanup();
            reject(new Error(`blitz exited before printing ${pattern}; stderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Timed out waiting for ${pattern}; stderr:\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs `blitz <args>` to completion. */
export async function runBlitz(
  options: SpawnOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawnBlitz(options);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Ports and a data dir for one `blitz run` in sandbox mode. */
export function sandboxRunEnv(
  dataDir: string,
): Record<string, string> & { httpPort: string; sandboxPort: string } {
  const httpPort = String(freePort());
  const sandboxPort = String(freePort());
  return {
    BLITZ_DATA_DIR: dataDir,
    BLITZ_HTTP_HOST: "127.0.0.1",
    BLITZ_HTTP_PORT: httpPort,
    SANDBOX_PORT: sandboxPort,
    // No simulated players: tests count games and read the leaderboard.
    SANDBOX_PLAYERS: "0",
    httpPort,
    sandboxPort,
  };
}

/** Polls `url` until it answers 200 (the process must be running), or throws after `timeoutMs`. */
export async function waitForHttp200(
  url: string,
  proc: BlitzProcess,
  timeoutMs = 20_000,
): Promise<number> {
  const started = Date.now();
  let finished = false;
  proc.exited.then(() => (finished = true));
  while (Date.now() - started < timeoutMs) {
    if (finished) {
      throw new Error(`blitz exited before ${url} answered 200; stderr:\n${proc.stderr()}`);
    }
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status === 200) return Date.now() - started;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; stderr:\n${proc.stderr()}`);
}
