/**
 * The composition root: builds every part from the configuration and owns the start and
 * stop order — config → lock → database → migrate → games → HTTP → Discord → scheduler —
 * and the same list backwards on stop. Parts started before a failure are stopped again.
 */
import { join } from "node:path";
import type { BlitzConfig } from "./config/mod.ts";
import { type Clock, systemClock } from "./clock.ts";
import { log } from "./log.ts";
import { acquireLock, type DataDirLock } from "./ops/lock.ts";
import { ensureAdminToken } from "./ops/admin_token.ts";
import { type BlitzMetrics, createMetrics } from "./ops/metrics.ts";
import { createHealthMonitor, type HealthMonitor } from "./ops/health.ts";
import { openStore, type Store } from "./store/mod.ts";
import { createHttpApp } from "./server/app.ts";
import { type HttpServer, serveHttp } from "./server/serve.ts";
import { createDiscordConnection, type DiscordConnection } from "./bot/discord.ts";
import { COMMAND_DEFINITIONS, syncCommands } from "./bot/commands.ts";
import { createInteractionRouter } from "./bot/router.ts";
import { createPingHandler } from "./bot/ping.ts";
import type { RawInteraction } from "./bot/types.ts";
import { VERSION } from "./version.ts";

/** Extra parts a caller (tests, the CLI) may supply. */
export interface AppOptions {
  clock?: Clock;
  /** Called once if Discord ends the session fatally after start (e.g. 4004). */
  onFatal?: (error: Error) => void;
}

/** A running Blitz. */
export interface BlitzApp {
  readonly config: BlitzConfig;
  readonly store: Store;
  readonly metrics: BlitzMetrics;
  readonly http: HttpServer;
  /** The sandbox's URL in sandbox mode. */
  readonly sandboxUrl?: string;
  readonly adminToken: string;
  /** Stops everything in reverse start order. Idempotent. */
  stop(): Promise<void>;
}

/** The admin token is a secret too: callers feed it to the log redactor. */
export function prepareDataDir(config: BlitzConfig): { adminToken: string } {
  Deno.mkdirSync(config.dataDir, { recursive: true });
  Deno.mkdirSync(join(config.dataDir, "backups"), { recursive: true });
  return { adminToken: ensureAdminToken(config.dataDir) };
}

/** Starts Blitz. On failure, whatever was started is stopped and the error is rethrown. */
export async function startApp(config: BlitzConfig, options: AppOptions = {}): Promise<BlitzApp> {
  const clock = options.clock ?? systemClock;
  const logger = log("app");
  const startedAt = clock.now();
  const stops: { name: string; stop: () => unknown }[] = [];
  const stopAll = async () => {
    while (stops.length > 0) {
      const part = stops.pop()!;
      try {
        await part.stop();
      } catch (error) {
        logger.error("Stopping {part} failed: {error}", { part: part.name, error });
      }
    }
  };

  try {
    const { adminToken } = prepareDataDir(config);
    const lock: DataDirLock = acquireLock(config.dataDir);
    stops.push({ name: "lock", stop: () => lock.release() });
    if (lock.tookOverFrom) {
      logger.warn("Took over a stale lock left by pid {pid} (it is no longer running)", {
        pid: lock.tookOverFrom.pid,
      });
    }

    const storeLogger = log("store");
    const store = openStore(join(config.dataDir, "blitz.db"), {
      onMigrate: (m) => storeLogger.info("Applied migration {version}: {description}", { ...m }),
    });
    stops.push({ name: "database", stop: () => store.close() });
    storeLogger.info("Database {path} ready at schema version {version}", {
      path: store.path,
      version: store.schemaVersion,
    });
    logger.info("Loaded {count} games", { count: 0 });

    let discord: DiscordConnection | undefined;
    const gatewayStatus = {
      connected: () => discord?.connected() ?? false,
      heartbeatAcknowledged: () => discord?.heartbeatAcknowledged() ?? false,
      latencyMs: () => discord?.latencyMs(),
    };
    const metrics = createMetrics({ uptimeSeconds: () => Math.floor((clock.now() - startedAt) / 1000) });
    const health = createHealthMonitor({ clock, startedAt, pingStore: () => store.ping(), gateway: gatewayStatus });
    stops.push({ name: "health monitor", stop: () => health.stop() });
    const gaugeTimer = setInterval(() => metrics.gatewayConnected.set(health.report().discord === "online" ? 1 : 0), 1000);
    stops.push({ name: "gauges", stop: () => clearInterval(gaugeTimer) });

    const httpApp = createHttpApp({ health, metrics, version: VERSION, logger: log("http") });
    const http = serveHttp(httpApp, { hostname: config.httpHost, port: config.httpPort });
    stops.push({ name: "HTTP server", stop: () => http.shutdown() });
    log("http").info("HTTP server listening on http://{host}:{port} (/health, /metrics)", {
      host: config.httpHost,
      port: http.port,
    });

    let token = config.discordToken;
    let apiUrl = config.discordApiUrl;
    let gatewayUrl = config.discordGatewayUrl;
    let sandboxUrl: string | undefined;
    if (config.sandbox) {
      const { startSandbox } = await import("./sandbox/mod.ts");
      const sandboxLogger = log("sandbox");
      const sandbox = await startSandbox({
        hostname: "127.0.0.1",
        port: config.sandboxPort,
        log: (level, message, props) => sandboxLogger[level === "warn" ? "warn" : level](message, props ?? {}),
      });
      stops.push({ name: "sandbox", stop: () => sandbox.close() });
      token = sandbox.token;
      apiUrl = sandbox.restUrl;
      gatewayUrl = sandbox.gatewayUrl;
      sandboxUrl = sandbox.url;
      sandboxLogger.info("Discord sandbox listening on {url}", { url: sandbox.url });
    }

    const botLogger = log("bot");
    let router: ReturnType<typeof createInteractionRouter> | undefined;
    discord = createDiscordConnection({
      token: token!,
      apiUrl,
      gatewayUrl,
      logger: log("discord"),
      onDispatch: (payload) => {
        if (payload.t === "INTERACTION_CREATE" && router) {
          router.handle(payload.d as RawInteraction).catch((error) => botLogger.error("{error}", { error }));
        }
      },
      onFatal: (error) => options.onFatal?.(error),
    });
    const connection = discord;
    router = createInteractionRouter({
      rest: connection.rest,
      logger: botLogger,
      metrics,
      clock,
      commands: { ping: createPingHandler(() => connection.latencyMs()) },
    });
    stops.push({ name: "Discord", stop: () => connection.stop() });
    const startDiscord = clock.now();
    const me = await connection.start();
    botLogger.info("Connected to Discord as {username}", { username: me.username });
    const synced = await syncCommands(connection.rest, COMMAND_DEFINITIONS, config.devGuildId);
    botLogger.info("Synced {count} commands{scope}", {
      count: synced,
      scope: config.devGuildId ? ` to guild ${config.devGuildId}` : " globally",
    });
    botLogger.info("Bot is ready! (Discord connected in {ms} ms, started in {total} ms)", {
      ms: clock.now() - startDiscord,
      total: clock.now() - startedAt,
    });

    return {
      config,
      store,
      metrics,
      http,
      sandboxUrl,
      adminToken,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
