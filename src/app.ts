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
import { createHealthMonitor, writeFailureReason } from "./ops/health.ts";
import { openStore, type Store } from "./store/mod.ts";
import { createHttpApp } from "./server/app.ts";
import { createBackupApiGroup } from "./server/api_backups.ts";
import { backupOptionsFromConfig, createBackupService, createPauseGate } from "./ops/backup/mod.ts";
import { type HttpServer, serveHttp } from "./server/serve.ts";
import { type Bot, createBot } from "./bot/mod.ts";
import { createGamesRepo } from "./store/games_repo.ts";
import { createGameService, type GameService } from "./services/games.ts";
import { VERSION } from "./version.ts";
import { createOpsRuntime, type OpsRuntime } from "./ops/runtime.ts";
import { createStatusApiGroup } from "./server/api_status.ts";
import { createControlsApiGroup } from "./server/api_controls.ts";
import { startHeapTrimmer } from "./ops/heap_trim.ts";

/** Extra parts a caller (tests, the CLI) may supply. */
export interface AppOptions {
  clock?: Clock;
  /** Called once if Discord ends the session fatally after start (e.g. 4004). */
  onFatal?: (error: Error) => void;
  /** `blitz run --safe-mode`: every feature but the core game off for this run. */
  safeMode?: boolean;
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
  /** Health monitor, alerts, scheduler, feature flags, audit log, reports. */
  readonly ops: OpsRuntime;
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
    // Filled in once Discord is set up; the health monitor and game callbacks read it late.
    const late: { bot?: Bot; ops?: OpsRuntime; gamesStarted?: boolean } = {};
    const gatewayStatus = {
      connected: () => late.bot?.connection.connected() ?? false,
      heartbeatAcknowledged: () => late.bot?.connection.heartbeatAcknowledged() ?? false,
      latencyMs: () => late.bot?.connection.latencyMs(),
    };
    const metrics = createMetrics({
      uptimeSeconds: () => Math.floor((clock.now() - startedAt) / 1000),
    });
    const gamesRepo = createGamesRepo(store);
    let interactions = 0; // for the heap trimmer's "is it quiet?"
    const games: GameService = createGameService({
      repo: gamesRepo,
      clock,
      shotClockMs: (guildId) => guildShotClockMs(store, guildId) ?? config.shotClockSeconds * 1000,
      possessionsFor: (guildId) => late.ops?.possessionsFor(guildId),
      onUpdate: (game) => late.bot?.boards.refresh(game.row.id),
      onAction: (kind) => metrics.gameActions.inc({ kind }),
      onFinished: (mode, status) => metrics.gamesCompleted.inc({ mode, status }),
      onError: (error, gameId) => {
        log("game").error("Deadline of game {gameId} failed: {error}", { gameId, error });
        late.ops?.errors.record("job", error, { command: `deadline of game ${gameId}` });
      },
    });
    metrics.observeActiveGames(() => games.activeCount());
    metrics.observeDiscordRequests(() =>
      late.bot?.connection.restLoad() ?? { inFlight: 0, waiting: 0 }
    );
    logger.info("Loaded {count} games", { count: games.load() });

    const health = createHealthMonitor({
      clock,
      startedAt,
      pingStore: () => store.ping(),
      // Only after a write failed (a full disk), until writes work again.
      probeWrite: () => store.setSetting("health_write_probe", String(clock.now())),
      gateway: gatewayStatus,
    });
    stops.push({ name: "health monitor", stop: () => health.stop() });
    const gaugeTimer = setInterval(
      () => metrics.gatewayConnected.set(health.report().discord === "online" ? 1 : 0),
      1000,
    );
    stops.push({ name: "gauges", stop: () => clearInterval(gaugeTimer) });
    let interactionsAtLastCheck = 0;
    const stopHeapTrimmer = startHeapTrimmer({
      // Quiet: at most one interaction a second since the last look (every 5 s).
      isBusy: () => {
        const busy = interactions - interactionsAtLastCheck > 5;
        interactionsAtLastCheck = interactions;
        return busy;
      },
      onTrim: (before, after, ms) =>
        log("runtime").debug(
          "Heap trimmed from {before} to {after} MB in {ms} ms",
          {
            before: Math.round(before.heapTotal / 1048576),
            after: Math.round(after.heapTotal / 1048576),
            ms: Math.round(ms),
          },
        ),
      onNativeTrim: (released, ms) =>
        log("runtime").debug("C heap trimmed in {ms} ms (memory returned: {released})", {
          ms: Math.round(ms * 10) / 10,
          released,
        }),
    });
    stops.push({ name: "heap trimmer", stop: stopHeapTrimmer });

    // Backups: the same service for the admin API and (later) the scheduled job. An in-process
    // restore pauses new interactions at this gate while it swaps the database.
    const interactionGate = createPauseGate();
    const backups = createBackupService(
      { dataDir: config.dataDir, store, clock, logger: log("backup"), registry: metrics.registry },
      {
        ...backupOptionsFromConfig(config),
        // The swap closes and reopens the store: stop the shot clocks and hold new
        // interactions first, then reload the open games from the restored database.
        beforeSwap: async () => {
          await interactionGate.pause();
          games.stop();
        },
        afterSwap: () => {
          try {
            logger.info("Loaded {count} games from the restored database", { count: games.load() });
            if (late.gamesStarted) games.start();
            for (const id of games.openGameIds()) late.bot?.boards.refresh(id); // redraw restored boards
          } finally {
            interactionGate.resume();
          }
        },
      },
    );
    stops.push({ name: "backups", stop: () => backups.close() });

    // Operations: monitor, alerts, scheduler, flags, audit. Jobs start once Discord is ready.
    const ops = createOpsRuntime({
      config,
      store,
      clock,
      startedAt,
      version: VERSION,
      metrics,
      gateway: gatewayStatus,
      readiness: health,
      backups,
      post: async (channelId, body) => {
        if (!late.bot) throw new Error("Discord is not connected yet");
        await late.bot.post(channelId, body);
      },
      activeGames: () => games.activeCount(),
      inFlight: () => late.bot?.router.inFlight() ?? 0,
      safeMode: options.safeMode,
    });
    late.ops = ops;
    // A store error that means writes fail (a full disk) fails /health's database check.
    ops.errors.onRecord((error) => {
      const reason = error.category === "database" ? writeFailureReason(error.message) : undefined;
      if (reason) health.noteWriteFailure(reason);
    });
    if (ops.safeMode) logger.warn("Safe mode: every feature but the core game is off for this run");

    const httpApp = createHttpApp({
      health,
      metrics,
      version: VERSION,
      logger: log("http"),
      adminToken: () => adminToken,
      apiGroups: [
        createStatusApiGroup({
          status: () => ops.status(),
          errors: ops.errors,
          jobs: () => ops.scheduler.jobs(),
          recentRuns: (o) => ops.jobRuns.recentRuns(o),
          actions: ops.actions,
          events: ops.events,
          logFile: ops.logFile,
          now: () => clock.now(),
          onHttpError: (error, route) => ops.errors.record("http", error, { command: route }),
        }),
        createControlsApiGroup(ops),
        createBackupApiGroup(backups, (entry) =>
          ops.audit.record({
            actor: { id: "api", name: entry.by ?? "admin API", source: "api" },
            action: entry.action,
            target: entry.target,
            detail: entry.detail,
            outcome: entry.outcome === "ok" ? "ok" : "failed",
          })),
      ],
      onError: (error, route) => ops.errors.record("http", error, { command: route }),
    });
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
        players: config.sandboxPlayers,
        log: (level, message, props) =>
          sandboxLogger[level === "warn" ? "warn" : level](message, props ?? {}),
      });
      stops.push({ name: "sandbox", stop: () => sandbox.close() });
      token = sandbox.token;
      apiUrl = sandbox.restUrl;
      gatewayUrl = sandbox.gatewayUrl;
      sandboxUrl = sandbox.url;
      sandboxLogger.info("Discord sandbox listening on {url}", { url: sandbox.url });
    }

    const botLogger = log("bot");
    const bot = createBot({
      token: token!,
      apiUrl,
      gatewayUrl,
      devGuildId: config.devGuildId,
      restTimeoutMs: config.restTimeoutSeconds * 1000,
      restMaxInFlight: config.restMaxInFlight,
      clock,
      metrics,
      games,
      gamesRepo,
      rateLimit: { burst: config.userRateBurst, perSecond: config.userRatePerSecond },
      runInteraction: (handle) => {
        interactions++;
        return interactionGate.run(handle);
      },
      onFatal: (error) => options.onFatal?.(error),
      ops: ops.botOps(),
      commandMemory: {
        get: (key) => store.getSetting(key),
        set: (key, value) => store.setSetting(key, value),
      },
    });
    late.bot = bot;
    stops.push({ name: "Discord", stop: () => bot.stop() });
    const startDiscord = clock.now();
    const { username, synced, commandsChanged } = await bot.start();
    botLogger.info("Connected to Discord as {username}", { username });
    botLogger.info(
      `Synced {count} commands ${config.devGuildId ? "to guild {guild}" : "globally"}${
        commandsChanged ? "" : " (unchanged since the last start: not sent again)"
      }`,
      {
        count: synced,
        guild: config.devGuildId,
      },
    );

    // The scheduler comes last: shot clocks and challenge expiry (past ones run now).
    games.start();
    late.gamesStarted = true;
    stops.push({ name: "game deadlines", stop: () => games.stop() });
    ops.start();
    stops.push({ name: "scheduler", stop: () => ops.stop() });
    // Stopping begins here: no new games, a notice, in-flight interactions, counters saved.
    stops.push({ name: "drain", stop: () => ops.drain() });
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
      ops,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A guild's own shot clock (`/admin settings`), in ms, if it set one. */
function guildShotClockMs(store: Store, guildId: string | null): number | undefined {
  if (!guildId) return undefined;
  const row = store.prepare(
    "SELECT value FROM guild_settings WHERE guild_id = ? AND key = 'shot_clock_seconds'",
  )
    .get(guildId) as { value: string } | undefined;
  const seconds = Number(row?.value);
  return Number.isFinite(seconds) && seconds >= 3 ? seconds * 1000 : undefined;
}
