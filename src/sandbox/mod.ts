/**
 * The Discord sandbox: a local Discord REST v10 API and Gateway v10 on one loopback port
 * (the gateway reached through a TCP relay that faults can silence or cut), with seeded users
 * and a guild, a control API (`/_sandbox/`) through which tests act as users and inject
 * faults, simulated players, and a read-only web view (`/_sandbox/view`). `blitz run` embeds
 * it when no DISCORD_TOKEN is set.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ heartbeatIntervalMs: 1500 });
 * // createBot({ token: sandbox.token, rest: { token: sandbox.token, proxy: { baseUrl: sandbox.restUrl } },
 * //             gateway: { url: sandbox.gatewayUrl, token: sandbox.token } })
 * const alice = sandbox.users.find((u) => u.username === "alice")!;
 * const handle = await sandbox.client.command({ userId: alice.id, name: "play" });
 * const record = await sandbox.client.waitForResponse(handle.id);
 * const fault = await sandbox.client.zombieGateway();       // then: faultRecord(fault.id).outcome
 * await sandbox.client.rateLimit({ scope: "global", durationMs: 2000 });
 * await sandbox.client.startPlayers(4);                     // player1..player4 play in #arena
 * await sandbox.close();
 * ```
 *
 * @module
 */
export { type Sandbox, type SandboxDriver, type SandboxOptions, startSandbox } from "./sandbox.ts";
export { createSandboxClient, SandboxClientError } from "./client.ts";
export type {
  ClickInput,
  CommandInput,
  CommandOptionInput,
  DiscordUser,
  FaultInput,
  FaultRecord,
  InteractionHandle,
  InteractionRecord,
  PlayerOptions,
  PlayerStats,
  SandboxClient,
  SandboxLog,
  SandboxMessage,
  SandboxSessionInfo,
  SandboxSettings,
  SandboxStateSnapshot,
  SandboxUser,
} from "./types.ts";
export type { FaultKind, FaultReaction } from "./faults.ts";
export { DEFAULT_SETTINGS, PRIVILEGED_INTENTS } from "./settings.ts";
export { playerUser } from "./players.ts";
