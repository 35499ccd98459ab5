/**
 * Starts a sandbox: the local Discord (REST v10 under `/api`, Gateway v10 at `/gateway`) and
 * its control API (`/_sandbox/`), all on one loopback port. Composition root of the folder.
 *
 * @module
 */
import { createSandboxClient } from "./client.ts";
import { createCommandRegistry } from "./commands.ts";
import { createControlApi } from "./control.ts";
import { DiscordErrors, json } from "./errors.ts";
import { createChangeFeed } from "./feed.ts";
import { createGateway } from "./gateway.ts";
import { createGatewaySessions, Intents } from "./gateway_sessions.ts";
import { isLoopback } from "./http.ts";
import {
  applicationIdFromToken,
  createBotToken,
  createSnowflakeGenerator,
  seedSnowflake,
} from "./ids.ts";
import { createInteractions } from "./interactions.ts";
import { createMessageStore, publicMessage } from "./messages.ts";
import { createRateLimiter } from "./rate_limit.ts";
import { createInteractionResponses } from "./responses.ts";
import { createRestApi } from "./rest.ts";
import { createSeedWorld } from "./seed.ts";
import { BOT_NAME, createWorld, memberObject } from "./state.ts";
import type { SandboxClient, SandboxLog, SandboxUser } from "./types.ts";

/** Options of `startSandbox`; every field has a default. */
export interface SandboxOptions {
  /** Interface to listen on. Default "127.0.0.1". */
  hostname?: string;
  /** Port; default 0 = any free port. */
  port?: number;
  /** HELLO's heartbeat_interval in ms. Default 41250 (Discord's value). */
  heartbeatIntervalMs?: number;
  /** Time a bot has to acknowledge an interaction, in ms. Default 3000 (Discord's). */
  interactionDeadlineMs?: number;
  /**
   * The one valid bot token. Default: generated in Discord's shape `base64(appId).xxxxxx.yyyy…`.
   * A token in that shape also sets the application id (libraries read it from the token).
   */
  token?: string;
  /** Where to log; nothing is logged by default. */
  log?: SandboxLog;
}

/** A running sandbox. */
export interface Sandbox {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** `${url}/api`: discordeno appends `/v10/...` itself, as on Discord (`/api/v10/...`). */
  restUrl: string;
  /** "ws://127.0.0.1:PORT/gateway": what GET /gateway/bot returns as `url`. */
  gatewayUrl: string;
  token: string;
  applicationId: string;
  /** The guild "Blitz Sandbox". */
  guildId: string;
  /** Its text channel "#blitz". */
  channelId: string;
  /** Seeded users: alice, bob, carol, dave (Manage Guild), owner (guild owner), other_bot (a bot). */
  users: SandboxUser[];
  /** A client of this sandbox (over its control API). */
  client: SandboxClient;
  /** Closes sockets and the server. Idempotent. */
  close(): Promise<void>;
}

const DEFAULTS = {
  hostname: "127.0.0.1",
  port: 0,
  heartbeatIntervalMs: 41_250,
  interactionDeadlineMs: 3_000,
};

/** Starts a sandbox and resolves once it is listening. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = { ...DEFAULTS, ...options };
  const log: SandboxLog = options.log ?? (() => {});
  const now = () => Date.now();
  const applicationId = (options.token && applicationIdFromToken(options.token)) ||
    seedSnowflake(1);
  const token = options.token ?? createBotToken(applicationId);

  const feed = createChangeFeed();
  const seed = createSeedWorld(applicationId, BOT_NAME);
  const world = createWorld({
    applicationId,
    token,
    seed,
    ids: createSnowflakeGenerator(now),
    now,
    feed,
    log,
  });
  const messages = createMessageStore(world);
  const commands = createCommandRegistry(world);
  const sessions = createGatewaySessions(now);
  const interactions = createInteractions({
    world,
    messages,
    commands,
    deadlineMs: config.interactionDeadlineMs,
    canDispatch: (guildId) => sessions.hasLiveSession(guildId),
    dispatch: (guildId, payload) =>
      sessions.dispatchToGuild(guildId, "INTERACTION_CREATE", payload),
  });
  const responses = createInteractionResponses({ world, messages, interactions });
  let gatewayUrl = "";
  const gateway = createGateway({
    world,
    sessions,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    gatewayUrl: () => gatewayUrl,
  });
  const rest = createRestApi({
    world,
    messages,
    commands,
    responses,
    limiter: createRateLimiter({ now }),
    gateway: () => ({ url: gatewayUrl, identifies: gateway.identifies }),
  });
  const control = createControlApi({ world, messages, commands, interactions, sessions });

  // MESSAGE_CREATE / UPDATE / DELETE for the GUILD_MESSAGES intent; ephemeral replies are never dispatched.
  messages.onChange((change, message) => {
    const guild = message.guild_id ? world.guild(message.guild_id) : undefined;
    if (!guild || message.ephemeral) return;
    const t = change === "create"
      ? "MESSAGE_CREATE"
      : change === "update"
      ? "MESSAGE_UPDATE"
      : "MESSAGE_DELETE";
    const d = change === "delete"
      ? { id: message.id, channel_id: message.channel_id, guild_id: guild.id }
      : {
        ...publicMessage(message),
        member: memberObject(world, guild, message.author.id, { withUser: false }),
      };
    sessions.dispatchToGuild(guild.id, t, d, Intents.GUILD_MESSAGES);
  });

  const handler = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    try {
      const url = new URL(request.url);
      if (url.pathname === "/gateway" || url.pathname === "/gateway/") {
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return DiscordErrors.notFound();
        }
        return gateway.upgrade(request, url);
      }
      if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
        return await rest(request, url);
      }
      if (url.pathname.startsWith("/_sandbox/")) {
        const remote = (info.remoteAddr as Deno.NetAddr).hostname ?? "";
        if (!isLoopback(remote)) {
          return json(403, {
            error: "forbidden",
            message: "The control API answers loopback only",
          });
        }
        return await control(request, url);
      }
      return DiscordErrors.notFound();
    } catch (error) {
      log("error", "Sandbox request failed", {
        method: request.method,
        url: request.url,
        error: String(error),
      });
      return DiscordErrors.internal();
    }
  };

  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname: config.hostname,
        port: config.port,
        onListen: (addr) => {
          const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
            ? "127.0.0.1"
            : addr.hostname;
          const authority = host.includes(":") ? `[${host}]:${addr.port}` : `${host}:${addr.port}`;
          const url = `http://${authority}`;
          gatewayUrl = `ws://${authority}/gateway`;
          let closing: Promise<void> | undefined;
          log("info", "Sandbox listening", { url });
          resolve({
            url,
            restUrl: `${url}/api`,
            gatewayUrl,
            token,
            applicationId,
            guildId: seed.guild.id,
            channelId: seed.channelId,
            users: seed.users,
            client: createSandboxClient(url),
            close: () =>
              closing ??= (async () => {
                feed.close();
                interactions.close();
                await gateway.close();
                await server.shutdown();
                log("info", "Sandbox closed", { url });
              })(),
          });
        },
      }, handler);
    } catch (error) {
      reject(error);
    }
  });
}
