/**
 * Starting a real `blitz run` for the operations end-to-end tests (tests/e2e/ops_*.test.ts):
 * with the built-in sandbox (sandbox mode: fault injection works) or against a sandbox in the
 * test process (its messages outlive the bot), plus a client of the admin API.
 */
import { join } from "node:path";
import {
  createSandboxClient,
  type Sandbox,
  type SandboxClient,
  type SandboxUser,
} from "../../src/sandbox/mod.ts";
import { seedSnowflake } from "../../src/sandbox/ids.ts";
import {
  type BlitzProcess,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

/** The sandbox's #blitz channel: admin and stats channel of these tests. */
export const BLITZ_CHANNEL = seedSnowflake(111);

/** A running blitz for a test. */
export interface OpsRun {
  blitz: BlitzProcess;
  client: SandboxClient;
  dataDir: string;
  /** http://127.0.0.1:<port> of its HTTP server. */
  httpUrl: string;
  users: Record<string, SandboxUser>;
  /** Calls the admin API with the instance's token. */
  // deno-lint-ignore no-explicit-any
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Runs a slash command as a user and waits for its first answer. */
  command(
    user: string,
    name: string,
    subcommand?: string,
    options?: { name: string; value: unknown }[],
  ): ReturnType<SandboxClient["waitForResponse"]>;
  /** Waits until an interaction's original message matches (a deferred answer's edit). */
  original(interactionId: string, pattern: RegExp): Promise<string>;
  stop(): Promise<number>;
}

/** Starts `blitz run` (built-in sandbox unless `sandbox` is given). */
export async function startOpsRun(
  options: { env?: Record<string, string>; args?: string[]; sandbox?: Sandbox } = {},
): Promise<OpsRun> {
  const dataDir = await tempDir();
  const env = sandboxRunEnv(dataDir);
  const blitz = spawnBlitz({
    args: options.args ?? ["run"],
    env: {
      ...env,
      SANDBOX_PLAYERS: "0",
      USER_RATE_BURST: "200",
      USER_RATE_PER_SECOND: "200",
      ADMIN_CHANNEL_ID: BLITZ_CHANNEL,
      STATS_CHANNEL_ID: BLITZ_CHANNEL,
      ...(options.sandbox
        ? { DISCORD_TOKEN: options.sandbox.token, DISCORD_API_URL: options.sandbox.restUrl }
        : {}),
      ...options.env,
    },
  });
  await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz, 30_000);
  const client = options.sandbox?.client ??
    createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`);
  const users = Object.fromEntries((await client.state()).users.map((u) => [u.username, u]));
  const token = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
  const run: OpsRun = {
    blitz,
    client,
    dataDir,
    httpUrl: `http://127.0.0.1:${env.httpPort}`,
    users,
    async api(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${env.httpPort}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    async command(user, name, subcommand, commandOptions) {
      const handle = await client.command({
        userId: users[user]!.id,
        name,
        ...(subcommand ? { subcommand } : {}),
        ...(commandOptions ? { options: commandOptions as never } : {}),
      });
      return await client.waitForResponse(handle.id, 15_000);
    },
    async original(interactionId, pattern) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const record = await client.interaction(interactionId);
        const content = record.original?.content ?? "";
        if (pattern.test(content)) return content;
        if (Date.now() > deadline) {
          throw new Error(`The answer of ${interactionId} never matched ${pattern}: "${content}"`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      blitz.kill("SIGTERM");
      return await blitz.exited;
    },
  };
  return run;
}

/** Every message in a channel whose first embed's title matches. */
export async function titled(client: SandboxClient, channelId: string, pattern: RegExp) {
  return (await client.messages(channelId)).filter((m) => pattern.test(m.embeds?.[0]?.title ?? ""));
}
