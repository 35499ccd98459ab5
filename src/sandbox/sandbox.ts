/**
 * Starts a sandbox: the local Discord (REST v10 under `/api`, Gateway v10 at `/gateway`), its
 * control API (`/_sandbox/`) and web view (`/_sandbox/view`), all on one loopback port, plus
 * a TCP relay in front of the gateway (the URL clients are given) so faults can cut or
 * silence a connection as a network would. Composition root of the folder.
 *
 * @module
 */
import { createSandboxClient } from "./client.ts";
import { createCommandRegistry } from "./commands.ts";
import { createControlApi } from "./control.ts";
import { DiscordErrors, json } from "./errors.ts";
import { createChangeFeed } from "./feed.ts";
import { createFaults } from "./faults.ts";
import { createGateway } from "./gateway.ts";
import { type GatewayRelay, startGatewayRelay } from "./gateway_proxy.ts";
import { createGatewaySessions, Intents } from "./gateway_sessions.ts";
import { isLoopback } from "./http.ts";
import {
  applicationIdFromToken,
  createBotToken,
  createSnowflakeGenerator,
  seedSnowflake,
} from "./ids.ts";
import { type AnswerListener, createInteractions } from "./interactions.ts";
import { createMessageStore, publicMessage } from "./messages.ts";
import { createRateLimiter } from "./rate_limit.ts";
import { createPlayers, type PlayerOptions } from "./players.ts";
import { createRandom, deriveSeed } from "./random.ts";
import { createInteractionResponses } from "./responses.ts";
import { createRestApi } from "./rest.ts";
import { createRestWatch } from "./rest_watch.ts";
import { createSeedWorld } from "./seed.ts";
import { DEFAULT_SETTINGS, type SandboxSettings } from "./settings.ts";
import { BOT_NAME, createWorld, memberObject } from "./state.ts";
import type {
  ClickInput,
  CommandInput,
  InteractionHandle,
  SandboxClient,
  SandboxLog,
  SandboxUser,
} from "./types.ts";

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
   * How long a settled interaction keeps its full payload and answer for inspection, in ms
   * (default 60 s); its token works for the whole 15 minutes either way.
   */
  interactionDetailMs?: number;
  /**
   * How long an interaction token works for follow-ups and edits, in ms. Default 15 minutes
   * (Discord's). The sandbox remembers each interaction that long (about half a kilobyte when
   * settled), so a load generator that runs for long at hundreds of actions per second may set
   * less to keep its own heap, and its garbage collection pauses, small.
   */
  interactionTokenLifetimeMs?: number;
  /**
   * The one valid bot token. Default: generated in Discord's shape `base64(appId).xxxxxx.yyyy…`.
   * A token in that shape also sets the application id (libraries read it from the token).
   */
  token?: string;
  /** Where to log; nothing is logged by default. */
  log?: SandboxLog;
  /**
   * Discord's per-app and per-IP knobs; defaults are Discord's: global limit 50 requests/s,
   * no privileged intent enabled, 10,000 invalid requests per 10 minutes.
   */
  settings?: Partial<SandboxSettings>;
  /** Simulated players to start at once (a count, or options with `count`). Default 0. */
  players?: number | (PlayerOptions & { count: number });
  /** Seed of the players' choices and of fault fractions. Default 1. */
  seed?: number;
}

/** A running sandbox. */
export interface Sandbox {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** `${url}/api`: discordeno appends `/v10/...` itself, as on Discord (`/api/v10/...`). */
  restUrl: string;
  /**
   * "ws://127.0.0.1:RELAY/gateway": what GET /gateway/bot returns as `url` — the gateway
   * behind the TCP relay. The gateway also answers directly on the main port's `/gateway`.
   */
  gatewayUrl: string;
  token: string;
  applicationId: string;
  /** The guild "Blitz Sandbox". */
  guildId: string;
  /** Its text channel "#blitz" (people and tests). */
  channelId: string;
  /** Its text channel "#arena", where simulated players play. */
  arenaChannelId: string;
  /** Seeded users: alice, bob, carol, dave (Manage Guild), owner (guild owner), other_bot (a bot). */
  users: SandboxUser[];
  /** A client of this sandbox (over its control API). */
  client: SandboxClient;
  /** In-process driver for load generators: no HTTP between the caller and the sandbox. */
  driver: SandboxDriver;
  /** Closes sockets and the server. Idempotent. */
  close(): Promise<void>;
}

/** Drives a sandbox from the same process (benchmarks); the typed client does the same over HTTP. */
export interface SandboxDriver {
  command(input: CommandInput): InteractionHandle;
  click(input: ClickInput): InteractionHandle;
  /** Hears every answered interaction; returns an unsubscribe. */
  onAnswer(listener: AnswerListener): () => void;
  /** Adds (or finds) user `load<n>` as a member of the guild. */
  loadUser(n: number): SandboxUser;
  counts(): { created: number; answered: number; failed: number };
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
  const settings: SandboxSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const world = createWorld({
    applicationId,
    token,
    seed,
    ids: createSnowflakeGenerator(now),
    now,
    feed,
    log,
    settings,
  });
  const messages = createMessageStore(world);
  const commands = createCommandRegistry(world);
  const sessions = createGatewaySessions(now);
  const interactions = createInteractions({
    world,
    messages,
    commands,
    deadlineMs: config.interactionDeadlineMs,
    detailMs: config.interactionDetailMs,
    tokenLifetimeMs: config.interactionTokenLifetimeMs,
    canDispatch: (guildId) => sessions.hasLiveSession(guildId),
    dispatch: (guildId, payload) =>
      sessions.dispatchToGuild(guildId, "INTERACTION_CREATE", payload),
  });
  const responses = createInteractionResponses({ world, messages, interactions });
  let gatewayUrl = "";
  let relay: GatewayRelay | undefined;
  const gateway = createGateway({
    world,
    sessions,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    gatewayUrl: () => gatewayUrl,
    relayLink: (port) => relay?.linkFor(port),
  });
  const watch = createRestWatch({ now, settings });
  const baseSeed = options.seed ?? 1;
  const faults = createFaults({
    world,
    gateway,
    sessions,
    watch,
    random: createRandom(deriveSeed(baseSeed, "faults")),
    heartbeatIntervalMs: config.heartbeatIntervalMs,
  });
  const rest = createRestApi({
    world,
    messages,
    commands,
    responses,
    limiter: createRateLimiter({ now, globalPerSecond: () => settings.globalRateLimitPerSecond }),
    gateway: () => ({ url: gatewayUrl, identifies: gateway.identifies }),
    watch,
    intercept: (context) => faults.beforeRest(context),
  });
  const players = createPlayers({
    world,
    messages,
    commands,
    interactions,
    guildId: seed.guild.id,
    channelId: seed.arenaChannelId,
    deadlineMs: config.interactionDeadlineMs,
    botConnected: () => sessions.hasLiveSession(seed.guild.id),
  });
  const control = createControlApi({
    world,
    messages,
    commands,
    interactions,
    sessions,
    gateway,
    faults,
    players,
    watch,
  });

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
  // GUILD_MEMBER_ADD (privileged GUILD_MEMBERS intent) when a user joins, e.g. a new player.
  world.onMemberAdd((guild, userId) => {
    const member = memberObject(world, guild, userId);
    if (member) {
      sessions.dispatchToGuild(
        guild.id,
        "GUILD_MEMBER_ADD",
        { ...member, guild_id: guild.id },
        Intents.GUILD_MEMBERS,
      );
    }
  });

  const handler = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    try {
      const url = new URL(request.url);
      const remote = info.remoteAddr as Deno.NetAddr;
      if (url.pathname === "/gateway" || url.pathname === "/gateway/") {
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return DiscordErrors.notFound();
        }
        return gateway.upgrade(request, url, remote.port);
      }
      if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
        return await rest(request, url, remote.hostname ?? "");
      }
      if (url.pathname === "/" && request.method === "GET") {
        return new Response(null, { status: 302, headers: { location: "/_sandbox/view" } });
      }
      if (url.pathname.startsWith("/_sandbox/")) {
        if (!isLoopback(remote.hostname ?? "")) {
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
          relay = startGatewayRelay(host, addr.port);
          gatewayUrl = `${relay.origin}/gateway`;
          const count = typeof options.players === "number"
            ? options.players
            : options.players?.count ?? 0;
          if (count > 0) {
            players.start(count, {
              seed: baseSeed,
              ...(typeof options.players === "object" ? options.players : {}),
            });
          }
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
            arenaChannelId: seed.arenaChannelId,
            users: seed.users,
            client: createSandboxClient(url),
            driver: {
              command: (input) => interactions.command(input),
              click: (input) => interactions.click(input),
              onAnswer: (listener) => interactions.onAnswer(listener),
              loadUser: (n) => {
                const known = world.users().find((u) => u.username === `load${n}`);
                if (known) return known;
                const user: SandboxUser = {
                  id: world.ids.next(),
                  username: `load${n}`,
                  global_name: `Load ${n}`,
                  discriminator: "0",
                  avatar: null,
                  bot: false,
                  public_flags: 0,
                };
                world.addMember(user, seed.guild.id);
                return user;
              },
              counts: () => interactions.counts(),
            },
            close: () =>
              closing ??= (async () => {
                players.stop();
                faults.close();
                feed.close();
                interactions.close();
                await gateway.close();
                relay?.close();
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
