/**
 * The self-running half of the composition root: builds the error tracker, the monitor, the
 * alerter, feature flags, maintenance mode, the audit log, reports, the admin actions and the
 * scheduler with its jobs (backup, maintenance, health check, daily and weekly report) from
 * the configuration, and hands `src/app.ts` what the bot and the HTTP server need.
 */
import { join } from "node:path";
import type { BlitzConfig } from "../config/mod.ts";
import { alertThresholdsOf } from "../config/mod.ts";
import type { Clock } from "../clock.ts";
import { log } from "../log.ts";
import type { BackupService } from "./backup/mod.ts";
import type { GatewayStatus, HealthMonitor } from "./health.ts";
import type { BlitzMetrics } from "./metrics.ts";
import { evaluateRules, overallStatus, type RuleVerdict } from "./alert_rules.ts";
import { type Alerter, createAlerter } from "./alerter.ts";
import { type CommandWindow, createCommandWindow } from "./command_window.ts";
import { createPersistedCounters, type PersistedCounters } from "./counters.ts";
import {
  classifyError,
  countsAgainstFeature,
  createErrorTracker,
  type ErrorTracker,
} from "./error_tracker.ts";
import { createOpsEvents, type OpsEvents } from "./events.ts";
import { createMonitor, type HealthSample, type Monitor } from "./monitor.ts";
import { createOpsMetrics, type OpsMetrics, severityLevel } from "./ops_metrics.ts";
import type { OpsStatus } from "./status.ts";
import type { Timers } from "../scheduler/deadlines.ts";
import { createScheduler, type JobDefinition, type Scheduler } from "../scheduler/scheduler.ts";
import { startOfLocalDay } from "../scheduler/schedule.ts";
import { type AuditLog, createAuditLog, SYSTEM_ACTOR } from "../services/audit.ts";
import {
  createCircuitBreaker,
  createFeatureFlags,
  type FeatureFlags,
  featureOfCommand,
} from "../services/features.ts";
import { createMaintenanceMode, type MaintenanceMode } from "../services/maintenance_mode.ts";
import { runMaintenance, summarizeMaintenance, vacuumNow } from "../services/maintenance.ts";
import {
  COUNTER_COMMANDS,
  COUNTER_COMMANDS_FAILED,
  createReporter,
  type Reporter,
} from "../services/reports.ts";
import { type AdminActions, createAdminActions } from "../services/admin_actions.ts";
import { createAuditRepo } from "../store/audit_repo.ts";
import { createCountersRepo } from "../store/counters_repo.ts";
import { createFeaturesRepo } from "../store/features_repo.ts";
import {
  createGuildSettingsRepo,
  type GuildSettingKey,
  type GuildSettingsRepo,
} from "../store/guild_settings_repo.ts";
import { createJobRunsRepo, type JobRunsRepo } from "../store/jobs_repo.ts";
import { createReportsRepo, type ReportsRepo } from "../store/reports_repo.ts";
import type { Store } from "../store/store.ts";
import type { BotOpsDeps } from "../bot/mod.ts";
import { unbundledNote } from "../launch_note.ts";

/** A message body for a channel (snake_case, Discord's format). */
export interface ChannelMessage {
  content?: string;
  embeds?: unknown[];
}

/** What the runtime is built from. */
export interface OpsRuntimeDeps {
  config: BlitzConfig;
  store: Store;
  clock: Clock;
  timers?: Timers;
  startedAt: number;
  version: string;
  metrics: BlitzMetrics;
  gateway: GatewayStatus;
  readiness: HealthMonitor;
  backups: BackupService;
  /** Posts to a channel through the bot (rejects while Discord is not connected). */
  post: (channelId: string, body: ChannelMessage) => Promise<void>;
  activeGames: () => number;
  /** Interactions being handled (the router's count). */
  inFlight: () => number;
  safeMode?: boolean;
  /** How often the live sample is taken (metrics, the live stream), ms; default 5000. */
  sampleIntervalMs?: number;
}

/** What the bot needs from the runtime (see `src/bot/admin_guard.ts`). */
export interface BotOpsHooks {
  /** A handler threw: count it, feed the circuit breaker. */
  onInteractionError(error: unknown, label: string): void;
  /** An interaction finished: latency and outcome for the monitor and the counters. */
  onInteractionFinished(label: string, seconds: number, outcome: string): void;
}

/** The running operations parts. */
export interface OpsRuntime extends BotOpsHooks {
  readonly events: OpsEvents;
  readonly errors: ErrorTracker;
  readonly commands: CommandWindow;
  readonly counters: PersistedCounters;
  readonly monitor: Monitor;
  readonly alerter: Alerter;
  readonly audit: AuditLog;
  readonly features: FeatureFlags;
  readonly maintenance: MaintenanceMode;
  readonly guildSettings: GuildSettingsRepo;
  readonly reports: ReportsRepo;
  readonly reporter: Reporter;
  readonly jobRuns: JobRunsRepo;
  readonly scheduler: Scheduler;
  readonly actions: AdminActions;
  readonly metrics: OpsMetrics;
  readonly safeMode: boolean;
  readonly logFile: string;
  /** Shutting down: no new games. */
  draining(): boolean;
  /** Everything the monitor knows (a fresh sample unless one is given). */
  status(sample?: HealthSample): OpsStatus;
  /** What the bot needs: `/admin`, the gate before game handlers, the hooks. */
  botOps(): BotOpsDeps;
  /** A guild's own possessions per side (`/admin settings possessions`), if set. */
  possessionsFor(guildId: string | null): number | undefined;
  /** Runs the health check now: sample, evaluate, alert. Returns a one-line outcome. */
  healthCheck(): Promise<string>;
  /** Starts the live sampler and the scheduler (catch-up runs start now). */
  start(): void;
  /**
   * First step of shutdown: stop taking new games, post a maintenance notice to the admin
   * channels, let interactions finish (at most SHUTDOWN_GRACE_SECONDS), persist counters.
   */
  drain(): Promise<void>;
  /** Stops the scheduler and the sampler and persists the counters. */
  stop(): Promise<void>;
}

/** Creates the runtime. Nothing runs before `start()`. */
export function createOpsRuntime(deps: OpsRuntimeDeps): OpsRuntime {
  const { config, store, clock } = deps;
  const logger = log("ops");
  const events = createOpsEvents();
  const counters = createPersistedCounters({ repo: createCountersRepo(store), clock, logger });
  const errors = createErrorTracker({ clock, counters });
  const commands = createCommandWindow();
  const jobRuns = createJobRunsRepo(store);
  const guildSettings = createGuildSettingsRepo(store);
  const reports = createReportsRepo(store);
  const audit = createAuditLog({
    repo: createAuditRepo(store),
    clock,
    logger: log("audit"),
    onRecord: (entry) => events.publish({ type: "audit", data: entry }),
  });
  const features = createFeatureFlags({ repo: createFeaturesRepo(store), clock, audit });
  const safeMode = deps.safeMode === true;
  if (safeMode) features.enterSafeMode();
  const maintenance = createMaintenanceMode({ store, clock, audit });
  const breaker = createCircuitBreaker({
    threshold: config.circuitBreakerErrors,
    windowMs: config.circuitBreakerWindowMinutes * 60_000,
  });
  const thresholds = alertThresholdsOf(config);
  const channelsFor = (configured: string | undefined, key: GuildSettingKey) => () => {
    const channels = configured ? [configured] : [];
    try {
      for (const { value } of guildSettings.valuesOf(key)) channels.push(value);
    } catch { /* the store is closed or being restored */ }
    return [...new Set(channels)];
  };
  const adminChannels = channelsFor(config.adminChannelId, "admin_channel_id");
  const statsChannels = channelsFor(config.statsChannelId, "stats_channel_id");
  let draining = false;

  const monitor = createMonitor({
    clock,
    startedAt: deps.startedAt,
    dataDir: config.dataDir,
    dbPath: store.path,
    pingStore: () => store.ping(),
    gateway: deps.gateway,
    commands,
    errors,
    backupStatus: () => deps.backups.status(),
    installedAt: () => jobRuns.installedAt(),
  });

  let lastVerdicts: RuleVerdict[] = [];
  const metrics = createOpsMetrics(deps.metrics.registry, {
    sample: () => monitor.last(),
    healthLevel: () => severityLevel(overallStatus([...lastVerdicts, ...alerter.active()])),
    ruleLevels: () => lastVerdicts.map((v) => ({ rule: v.rule, level: severityLevel(v.severity) })),
    jobs: () => scheduler.jobs(),
    features: () => features.list(),
    maintenance: () => maintenance.state().enabled,
  });
  errors.onRecord((tracked) => {
    metrics.error(tracked.category);
    events.publish({ type: "error", data: tracked });
  });

  const alerter = createAlerter({
    clock,
    logger: log("alerts"),
    cooldownMs: config.alertCooldownSeconds * 1000,
    channels: adminChannels,
    postToChannel: (channelId, body) => deps.post(channelId, body),
    webhookUrl: config.alertWebhookUrl,
    gatewayUp: () => deps.gateway.connected(),
    enabled: () => features.isEnabled("alerts"),
    onDeliveryFailure: (target, error) => {
      metrics.alertDeliveryFailed(target);
      errors.record(target === "channel" ? classifyError(error, "discord") : "http", error, {
        command: `alert delivery (${target})`,
      });
    },
    onDecision: (rule, decision) => {
      if (decision.kind === "suppress") metrics.alertSuppressed(rule, decision.severity);
    },
    onRecord: (record) => {
      metrics.alert(record.rule, record.severity, record.kind);
      events.publish({ type: "alert", data: record });
    },
  });
  const safely = (what: string, work: Promise<unknown>) =>
    work.catch((error) => logger.error("{what} failed: {error}", { what, error }));

  features.onChange((state) => {
    events.publish({ type: "feature", data: state });
    if (state.enabled) {
      breaker.reset(state.name);
      safely(
        "Resolving the circuit breaker alert",
        alerter.update({
          rule: `breaker:${state.name}`,
          title: `Circuit breaker: ${state.name}`,
          severity: null,
          display: `switched on again by ${state.changedBy}`,
          advice: "",
        }),
      );
    }
  });
  maintenance.onChange((state) => events.publish({ type: "maintenance", data: state }));

  const backupsMade = async (fromMs: number, toMs: number) => {
    const listing = await deps.backups.list({ checksums: false });
    return listing.backups.filter((b) => {
      const at = Date.parse(b.createdAt);
      return at >= fromMs && at < toMs && b.state !== "failed";
    }).length;
  };
  const reporter = createReporter({
    clock,
    logger: log("reports"),
    timeZone: config.timeZone,
    reports,
    counters,
    backupsMade,
    uptimeSeconds: () => Math.floor((clock.now() - deps.startedAt) / 1000),
    healthFigures: () => {
      const sample = monitor.last() ?? monitor.sample();
      const verdicts = evaluateRules(sample, thresholds);
      const active = alerter.active();
      return {
        memoryRssBytes: sample.memory.rssBytes,
        databaseBytes: sample.database.sizeBytes + sample.database.walBytes,
        health: overallStatus([...verdicts, ...active]),
        activeAlerts: active.map((a) => `${a.title}: ${a.severity}`),
      };
    },
    channels: statsChannels,
    post: (channelId, body) => deps.post(channelId, body),
    enabled: () => features.isEnabled("reports"),
  });

  const healthCheck = async (): Promise<string> => {
    const sample = monitor.sample();
    const verdicts = evaluateRules(sample, thresholds);
    lastVerdicts = verdicts;
    await alerter.evaluate(verdicts);
    counters.flush();
    const tripped = verdicts.filter((v) => v.severity);
    return tripped.length === 0
      ? "all rules within limits"
      : `${tripped.length} rule(s) tripped: ${
        tripped.map((v) => `${v.rule} ${v.severity} (${v.display})`).join(", ")
      }`;
  };

  const cron = (expression: string) => ({
    kind: "cron" as const,
    expression,
    timeZone: config.timeZone,
  });
  const jobs: JobDefinition[] = [
    {
      name: "backup",
      description: "A verified backup of the database (retention is applied by maintenance)",
      schedule: cron(config.backupCron),
      async run() {
        const outcome = await deps.backups.backup({ kind: "scheduled" });
        const { file, sizeBytes, durationMs } = outcome.entry;
        await alerter.notice({
          rule: "backup_done",
          title: "Backup done",
          display: `${file} (${sizeBytes} bytes, ${durationMs} ms, verified)`,
          advice: "",
        });
        return `${file}: ${sizeBytes} bytes in ${durationMs} ms, verified`;
      },
    },
    {
      name: "maintenance",
      description:
        "quick_check, archive old games, prune job records, logs and backups, VACUUM/ANALYZE",
      schedule: cron(config.maintenanceCron),
      async run() {
        const result = await runMaintenance({
          store,
          clock,
          logger: log("maintenance"),
          dataDir: config.dataDir,
          logRetentionDays: config.logRetentionDays,
          archiveAfterDays: config.archiveAfterDays,
          jobRuns,
          reports,
          pruneBackups: async () => (await deps.backups.prune()).removed,
        });
        return summarizeMaintenance(result);
      },
    },
    {
      name: "health",
      description: "Samples the health figures and evaluates the alert rules",
      schedule: { kind: "interval", everyMs: config.healthIntervalSeconds * 1000 },
      backoff: { baseMs: 1000, maxMs: 1000, maxRetries: 0 },
      quiet: true,
      run: () => healthCheck(),
    },
    {
      name: "daily_report",
      description: "The daily report to the stats channel",
      schedule: cron(config.reportCron),
      async run() {
        const detail = await reporter.post("daily");
        if (detail.startsWith("posted")) metrics.reportPosted("daily");
        return detail;
      },
    },
    {
      name: "weekly_report",
      description: "The weekly report to the stats channel",
      schedule: cron(config.weeklyReportCron),
      async run() {
        const detail = await reporter.post("weekly");
        if (detail.startsWith("posted")) metrics.reportPosted("weekly");
        return detail;
      },
    },
  ];
  const scheduler: Scheduler = createScheduler({
    clock,
    timers: deps.timers,
    repo: jobRuns,
    logger: log("scheduler"),
    jobs,
    onRunFinished(result) {
      metrics.jobRun(result.job, result.outcome, (result.finishedAt - result.startedAt) / 1000);
      events.publish({ type: "job", data: { ...result, error: undefined } });
      const rule = `job:${result.job}`;
      if (result.outcome === "failure") {
        errors.record(classifyError(result.error, "job"), result.error, { command: rule });
        safely(
          "Alerting a job failure",
          alerter.update({
            rule,
            title: `Job ${result.job} failed`,
            severity: result.retryAt ? "warning" : "critical",
            display: `${result.failures} failure(s) in a row: ${result.detail}`,
            advice: result.retryAt
              ? `Retrying at ${
                new Date(result.retryAt).toISOString()
              }; see /admin jobs and the log.`
              : "No retry left before the next scheduled run: see /admin jobs and the log, then fix the cause.",
          }),
        );
      } else {
        safely(
          "Resolving a job alert",
          alerter.update({
            rule,
            title: `Job ${result.job} failed`,
            severity: null,
            display: `succeeded again: ${result.detail}`,
            advice: "",
          }),
        );
      }
    },
  });

  const actions = createAdminActions({
    audit,
    features,
    maintenance,
    guildSettings,
    vacuum: () => vacuumNow(store),
    async backup(label) {
      const outcome = await deps.backups.backup({ kind: "manual", ...(label ? { label } : {}) });
      return {
        file: outcome.entry.file,
        sizeBytes: outcome.entry.sizeBytes,
        durationMs: outcome.entry.durationMs,
        verified: outcome.entry.verified.ok,
      };
    },
    async runJob(name) {
      const result = await scheduler.runNow(name);
      return {
        job: result.job,
        outcome: result.outcome,
        detail: result.detail,
        durationMs: result.finishedAt - result.startedAt,
      };
    },
    count: (action, outcome) => metrics.adminAction(action, outcome),
  });

  // Figures that scan tables are cached for 10 s: the live stream asks every 5 s.
  type GameFigures = Omit<OpsStatus["games"], "active">;
  let gameCache: { at: number; value: GameFigures } | undefined;
  const gameFigures = (): GameFigures => {
    const now = clock.now();
    if (!gameCache || now - gameCache.at > 10_000) {
      const value: GameFigures = { completedToday: null, topPlayers: [], records: null };
      try {
        value.records = reports.recordCounts();
        value.topPlayers = reports.topRated(5);
        value.completedToday =
          reports.gameFigures(startOfLocalDay(now, config.timeZone), now + 1).completed;
      } catch { /* the store is closed or being restored */ }
      gameCache = { at: now, value };
    }
    return gameCache.value;
  };
  let rateLimited = 0;

  const status = (sample = monitor.sample()): OpsStatus => {
    const readiness = deps.readiness.report();
    const verdicts = evaluateRules(sample, thresholds);
    const active = alerter.active();
    const backups = (() => {
      try {
        return deps.backups.status();
      } catch {
        return {};
      }
    })();
    return {
      version: deps.version,
      at: sample.at,
      startedAt: deps.startedAt,
      uptimeSeconds: sample.uptimeSeconds,
      timeZone: config.timeZone,
      sandbox: config.sandbox,
      status: readiness.status,
      checks: readiness.checks,
      health: overallStatus([...verdicts, ...active]),
      sample,
      rules: verdicts,
      alerts: { active, recent: alerter.recent(10) },
      errors: {
        totals: errors.totals(),
        last10m: sample.errors.last10m,
        byCategory10m: sample.errors.byCategory10m,
        recent: errors.recent(5),
      },
      jobs: scheduler.jobs(),
      features: features.list(),
      maintenance: maintenance.state(),
      safeMode,
      draining,
      games: { active: deps.activeGames(), ...gameFigures() },
      rateLimited,
      backups: {
        inProgress: backups.inProgress ?? null,
        newestVerified: backups.newestVerified ?? null,
        newest: backups.newest ?? null,
      },
      interactions: { inFlight: deps.inFlight() },
    };
  };

  let sampler: number | undefined;
  let wasConnected = false;
  const liveSample = () => {
    const sample = monitor.sample();
    if (wasConnected && !sample.gateway.connected) {
      errors.record("discord", new Error("The Discord gateway disconnected"), {
        command: "gateway",
      });
    }
    wasConnected = sample.gateway.connected;
    counters.flush();
    if (events.subscribers() > 0) {
      try {
        events.publish({ type: "status", data: status(sample) });
      } catch (error) {
        logger.warn("Cannot build the live status: {error}", { error });
      }
    }
  };

  const runtime: OpsRuntime = {
    events,
    errors,
    commands,
    counters,
    monitor,
    alerter,
    audit,
    features,
    maintenance,
    guildSettings,
    reports,
    reporter,
    jobRuns,
    scheduler,
    actions,
    metrics,
    safeMode,
    logFile: join(config.dataDir, "logs", "blitz.log"),
    draining: () => draining,
    status,
    botOps() {
      return {
        admin: {
          adminUserIds: config.adminUserIds,
          actions,
          status: () => status(),
          errors,
          jobs: () => scheduler.jobs(),
          features,
          audit,
          guildSettings,
          defaults: {
            adminChannelId: config.adminChannelId,
            statsChannelId: config.statsChannelId,
            shotClockSeconds: config.shotClockSeconds,
          },
          logger: log("admin"),
        },
        guard: {
          maintenance: () => maintenance.state(),
          feature: (name) => features.get(name),
          draining: () => draining,
          // Fault injection is a test tool: honoured in sandbox mode only.
          faults: config.sandbox
            ? config.faultInject.map((entry) => entry.slice("command:".length).trim())
            : [],
        },
        onError: (error, label) => runtime.onInteractionError(error, label),
        onFinished: (label, seconds, outcome) =>
          runtime.onInteractionFinished(label, seconds, outcome),
      };
    },
    possessionsFor(guildId) {
      if (!guildId) return undefined;
      try {
        const value = Number(guildSettings.get(guildId, "possessions"));
        return Number.isInteger(value) && value >= 1 && value <= 50 ? value : undefined;
      } catch {
        return undefined;
      }
    },
    healthCheck,
    onInteractionError(error, label) {
      errors.record(classifyError(error, "command"), error, { command: label });
      const feature = featureOfCommand(label);
      if (!feature || !features.isEnabled(feature) || !countsAgainstFeature(error)) return;
      if (!breaker.recordFailure(feature, clock.now())) return;
      const why =
        `circuit breaker: ${config.circuitBreakerErrors} failure(s) of "${label}" within ${config.circuitBreakerWindowMinutes} min`;
      try {
        features.set(feature, false, SYSTEM_ACTOR, why);
      } catch (switchError) {
        logger.error("The circuit breaker cannot switch {feature} off: {error}", {
          feature,
          error: switchError,
        });
        return;
      }
      metrics.breakerTripped(feature);
      safely(
        "Alerting the circuit breaker",
        alerter.update({
          rule: `breaker:${feature}`,
          title: `Circuit breaker: ${feature}`,
          severity: "critical",
          display: `"${feature}" switched off: ${why}`,
          advice:
            `See /admin errors for the cause; once fixed, switch it on with /admin feature enable ${feature}.`,
        }),
      );
    },
    onInteractionFinished(_label, seconds, outcome) {
      if (outcome === "rate_limited") rateLimited++;
      // "expired": Blitz answered after Discord's 3 s, and the user saw the interaction fail.
      const failed = outcome === "error" || outcome === "unanswered" || outcome === "expired";
      commands.record(clock.now(), seconds * 1000, failed);
      counters.inc(COUNTER_COMMANDS);
      if (failed) counters.inc(COUNTER_COMMANDS_FAILED);
    },
    start() {
      monitor.start();
      monitor.sample();
      wasConnected = deps.gateway.connected();
      const id = setInterval(liveSample, deps.sampleIntervalMs ?? 5000) as unknown as number;
      Deno.unrefTimer(id);
      sampler = id;
      scheduler.start();
    },
    async drain() {
      draining = true;
      const channels = adminChannels();
      const notice = {
        content:
          "🛠️ Blitz is shutting down for maintenance. Games in progress are saved and resume when it is back.",
      };
      await Promise.all(channels.map((channelId) =>
        Promise.race([
          deps.post(channelId, notice),
          new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 3000)),
        ]).catch((error) =>
          logger.warn("Cannot post the shutdown notice to {channelId}: {error}", {
            channelId,
            error,
          })
        )
      ));
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      while (deps.inFlight() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const left = deps.inFlight();
      if (left > 0) {
        logger.warn("{count} interaction(s) still running after {seconds} s; stopping anyway", {
          count: left,
          seconds: config.shutdownGraceSeconds,
        });
      }
      counters.flush();
      audit.record({
        actor: SYSTEM_ACTOR,
        action: "shutdown",
        detail: left > 0 ? `${left} interaction(s) were still running` : "clean",
        outcome: "ok",
      });
    },
    async stop() {
      events.close();
      if (sampler !== undefined) clearInterval(sampler);
      sampler = undefined;
      monitor.stop();
      await scheduler.stop();
      counters.flush();
    },
  };
  if (!config.sandbox && config.faultInject.length > 0) {
    logger.warn("BLITZ_FAULT_INJECT is ignored: it works in sandbox mode only");
  }
  const unbundled = unbundledNote();
  if (unbundled !== undefined) {
    logger.warn(
      "Running from the sources, not the bundle, which takes more memory (docs/DECISIONS.md D24): {reason}. " +
        "BLITZ_BUNDLE=0 runs the sources on purpose, without this warning.",
      { reason: unbundled },
    );
  }
  return runtime;
}
