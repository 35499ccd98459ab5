/**
 * `blitz run`: the bot, its HTTP server and (later) its scheduler, until SIGINT/SIGTERM.
 * Without DISCORD_TOKEN it starts the built-in Discord sandbox and says so in a banner.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { join } from "node:path";
import { type BlitzConfig, ConfigError, loadConfig } from "../config/mod.ts";
import { closeLogging, log, setupLogging } from "../log.ts";
import { type BlitzApp, prepareDataDir, startApp } from "../app.ts";
import { CorruptDatabaseError } from "../store/mod.ts";
import { readManifest } from "../ops/backup/mod.ts";
import { EXIT_CODES_HELP, ExitCode, exitCodeFor, ExitRequest } from "./exit_codes.ts";
import { printError } from "./output.ts";
import { DiscordUnreachableError } from "../bot/errors.ts";

/** How long a stop may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 10_000;

/** Registers `blitz run`. */
export function registerRunCommand(program: Command): void {
  program.command("run")
    .description("run the bot, its HTTP server (/health, /metrics) and its scheduler")
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("-p, --port <port>", "HTTP port (BLITZ_HTTP_PORT, default 8000)")
    .option("--host <address>", "HTTP listen address (BLITZ_HTTP_HOST, default 0.0.0.0)")
    .addOption(
      new Option("--log-level <level>", "LOG_LEVEL").choices([
        "debug",
        "info",
        "warning",
        "error",
        "fatal",
      ]),
    )
    .addOption(new Option("--log-format <format>", "LOG_FORMAT").choices(["text", "json"]))
    .option(
      "--sandbox-port <port>",
      "sandbox mode: port of the local Discord (SANDBOX_PORT, default 8001)",
    )
    .option(
      "--players <n>",
      "sandbox mode: simulated players in #arena (SANDBOX_PLAYERS, default 4; 0: none)",
    )
    .option(
      "--safe-mode",
      "start with every feature but the core game off (challenges, solo, tournaments, reports, alerts); switch them back on with /admin feature enable",
    )
    .addHelpText(
      "after",
      `\nEvery flag can also be set in the environment or in .env (see .env.example);\n` +
        `flags win over the environment, which wins over .env.\n\n${EXIT_CODES_HELP}\n`,
    )
    .action(async (flags) => {
      const code = await run({
        BLITZ_DATA_DIR: flags.dataDir,
        BLITZ_HTTP_PORT: flags.port,
        BLITZ_HTTP_HOST: flags.host,
        LOG_LEVEL: flags.logLevel,
        LOG_FORMAT: flags.logFormat,
        SANDBOX_PORT: flags.sandboxPort,
        SANDBOX_PLAYERS: flags.players,
      }, { safeMode: flags.safeMode === true });
      throw new ExitRequest(code);
    });
}

function sandboxBanner(app: BlitzApp): string {
  const line = "─".repeat(70);
  return [
    line,
    "  SANDBOX MODE: no DISCORD_TOKEN is set, so Blitz is talking to its built-in",
    `  local Discord at ${app.sandboxUrl} (loopback only, simulated users).`,
    `  Try it:   curl -X POST ${app.sandboxUrl}/_sandbox/interactions \\`,
    `              -d '{"type":"command","userId":"alice","name":"ping"}'`,
    `  Watch:    ${app.sandboxUrl}/_sandbox/view  (${app.config.sandboxPlayers} simulated players in #arena)`,
    `  Health:   http://127.0.0.1:${app.http.port}/health   Metrics: /metrics`,
    "  Real bot: set DISCORD_TOKEN (see .env.example) and run again.",
    line,
  ].join("\n");
}

async function run(
  flags: Record<string, string | undefined>,
  modes: { safeMode?: boolean } = {},
): Promise<number> {
  let config: BlitzConfig;
  try {
    config = loadConfig({ flags });
  } catch (error) {
    if (error instanceof ConfigError) {
      printError(error.message);
      return ExitCode.Config;
    }
    throw error;
  }

  let adminToken: string;
  try {
    adminToken = prepareDataDir(config).adminToken;
  } catch (error) {
    printError(
      `Cannot prepare data directory "${config.dataDir}": ${(error as Error).message} ` +
        `(check its permissions, or set BLITZ_DATA_DIR to a writable directory)`,
    );
    return ExitCode.Config;
  }
  await setupLogging({
    level: config.logLevel,
    format: config.logFormat,
    logDir: join(config.dataDir, "logs"),
    maxBytes: config.logFileMaxBytes,
    maxFiles: config.logFileCount,
    secrets: [config.discordToken ?? "", adminToken, config.alertWebhookUrl ?? ""].filter(Boolean),
  });
  const logger = log("app");

  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (resolveExit = resolve));
  // Listen for SIGINT/SIGTERM before starting: a stop asked for during start-up is honoured
  // (cleanly, once the parts are up) instead of killing the process half-started.
  let stopRequested = false;
  let forceExit: number | undefined;
  const armForceExit = () => {
    forceExit ??= setTimeout(() => {
      logger.error("Shutdown took longer than {seconds} s; exiting anyway", {
        seconds: STOP_TIMEOUT_MS / 1000,
      });
      Deno.exit(ExitCode.Failure);
    }, STOP_TIMEOUT_MS) as unknown as number;
  };
  const onSignal = (signal: Deno.Signal) => () => {
    stopRequested = true;
    armForceExit();
    logger.info("Received {signal}: shutting down", { signal });
    resolveExit(ExitCode.Ok);
  };
  const signals: [Deno.Signal, () => void][] = [
    ["SIGINT", onSignal("SIGINT")],
    ["SIGTERM", onSignal("SIGTERM")],
  ];
  for (const [signal, handler] of signals) Deno.addSignalListener(signal, handler);
  const removeSignals = () => {
    for (const [signal, handler] of signals) Deno.removeSignalListener(signal, handler);
  };

  let app: BlitzApp;
  try {
    app = await startApp(config, {
      safeMode: modes.safeMode,
      onFatal: (error) => {
        logger.fatal("{message}", { message: error.message });
        resolveExit(exitCodeFor(error));
      },
    });
  } catch (error) {
    removeSignals();
    const code = exitCodeFor(error);
    reportStartFailure(error, code, config);
    await closeLogging();
    return code;
  }
  if (config.sandbox && !stopRequested) printError(sandboxBanner(app));

  let code = await exit;
  removeSignals();
  armForceExit();
  try {
    await app.stop();
    logger.info("Stopped cleanly");
  } catch (error) {
    logger.error("Shutdown failed: {error}", { error });
    code = code || ExitCode.Failure;
  }
  clearTimeout(forceExit);
  await closeLogging();
  return code;
}

/** The newest backup whose last verification passed and whose file is still there. */
function newestVerifiedBackup(dir: string): { file: string; createdAt: string } | undefined {
  try {
    return readManifest(dir).backups
      .filter((entry) => entry.verified.ok)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .find((entry) => {
        try {
          return Deno.statSync(join(dir, entry.file)).isFile;
        } catch {
          return false;
        }
      });
  } catch {
    return undefined;
  }
}

function reportStartFailure(error: unknown, code: number, config: BlitzConfig): void {
  const logger = log("app");
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof CorruptDatabaseError) {
    logger.fatal("{message}", { message });
    const dir = config.backupDir ?? join(config.dataDir, "backups");
    const newest = newestVerifiedBackup(dir);
    if (newest) {
      logger.fatal(
        "The file was left untouched. The newest verified backup is {file} (made {createdAt}); " +
          "restore it with: blitz restore {file}",
        { file: join(dir, newest.file), createdAt: newest.createdAt },
      );
    } else {
      logger.fatal(
        "The file was left untouched. No verified backup was found in {dir}: restore one from your " +
          "off-site copies with: blitz restore <backup-file>",
        { dir },
      );
    }
    return;
  }
  // Discord out of reach is a known condition, not a bug in Blitz: its message, no stack.
  if (code === ExitCode.Failure && !(error instanceof DiscordUnreachableError)) {
    logger.fatal("Blitz could not start: {error}", { error });
    return;
  }
  logger.fatal("{message}", { message });
}
