/**
 * The Discord sandbox: a local Discord REST v10 API and Gateway v10 on one loopback port,
 * with seeded users and a guild, plus a control API (`/_sandbox/`) through which tests and
 * simulated players act as users. `blitz run` embeds it when no DISCORD_TOKEN is set.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * // createBot({ token: sandbox.token, rest: { token: sandbox.token, proxy: { baseUrl: sandbox.restUrl } },
 * //             gateway: { url: sandbox.gatewayUrl, token: sandbox.token } })
 * const alice = sandbox.users.find((u) => u.username === "alice")!;
 * const handle = await sandbox.client.command({ userId: alice.id, name: "play" });
 * const record = await sandbox.client.waitForResponse(handle.id);
 * await sandbox.close();
 * ```
 *
 * @module
 */
export { type Sandbox, type SandboxOptions, startSandbox } from "./sandbox.ts";
export { createSandboxClient, SandboxClientError } from "./client.ts";
export type {
  ClickInput,
  CommandInput,
  CommandOptionInput,
  DiscordUser,
  InteractionHandle,
  InteractionRecord,
  SandboxClient,
  SandboxLog,
  SandboxMessage,
  SandboxSessionInfo,
  SandboxStateSnapshot,
  SandboxUser,
} from "./types.ts";
