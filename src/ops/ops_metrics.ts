/**
 * The operations metrics (errors, alerts, jobs, features, maintenance mode, health samples),
 * registered on the app's registry next to the skeleton's and the backup service's. Named by
 * Prometheus conventions: base units, `_total` for counters, `_ratio` for 0..1 values.
 */
import client from "prom-client";
import type { Severity } from "./alert_rules.ts";
import { ERROR_CATEGORIES, type ErrorCategory } from "./error_tracker.ts";
import type { HealthSample } from "./monitor.ts";

/** What the gauges read when scraped. */
export interface OpsFigures {
  sample(): HealthSample | undefined;
  /** 0 ok, 1 info, 2 warning, 3 critical. */
  healthLevel(): number;
  ruleLevels(): { rule: string; level: number }[];
  jobs(): {
    name: string;
    running: boolean;
    lastSuccessAt?: number;
    consecutiveFailures: number;
  }[];
  features(): { name: string; enabled: boolean }[];
  maintenance(): boolean;
}

/** What the services record. */
export interface OpsMetrics {
  error(category: ErrorCategory): void;
  alert(rule: string, severity: Severity, kind: string): void;
  alertSuppressed(rule: string, severity: Severity): void;
  alertDeliveryFailed(target: "channel" | "webhook"): void;
  jobRun(job: string, outcome: "success" | "failure" | "skipped", seconds?: number): void;
  breakerTripped(feature: string): void;
  adminAction(action: string, outcome: string): void;
  reportPosted(kind: "daily" | "weekly"): void;
}

/** The level number of a severity (0 when fine). */
export function severityLevel(severity: Severity | null | "ok"): number {
  return severity === "critical" ? 3 : severity === "warning" ? 2 : severity === "info" ? 1 : 0;
}

/** Registers the operations metrics on `registry`. */
export function createOpsMetrics(registry: client.Registry, figures: OpsFigures): OpsMetrics {
  const registers = [registry];
  const errors = new client.Counter({
    name: "blitz_errors_total",
    help: "Errors handled, by category (discord, database, command, job, http).",
    labelNames: ["category"] as const,
    registers,
  });
  for (const category of ERROR_CATEGORIES) errors.inc({ category }, 0);
  const alerts = new client.Counter({
    name: "blitz_alerts_total",
    help: "Alert messages sent, by rule, severity and kind (alert, reminder, resolved, notice).",
    labelNames: ["rule", "severity", "kind"] as const,
    registers,
  });
  const suppressed = new client.Counter({
    name: "blitz_alerts_suppressed_total",
    help: "Alerts not sent because one of the same rule and severity went out within the cooldown.",
    labelNames: ["rule", "severity"] as const,
    registers,
  });
  const deliveryFailures = new client.Counter({
    name: "blitz_alert_delivery_failures_total",
    help: "Alert deliveries that failed, by target (channel, webhook); the alert is still logged.",
    labelNames: ["target"] as const,
    registers,
  });
  deliveryFailures.inc({ target: "channel" }, 0);
  deliveryFailures.inc({ target: "webhook" }, 0);
  const jobRuns = new client.Counter({
    name: "blitz_job_runs_total",
    help: "Scheduled job runs, by job and outcome (success, failure, skipped).",
    labelNames: ["job", "outcome"] as const,
    registers,
  });
  const jobDuration = new client.Histogram({
    name: "blitz_job_duration_seconds",
    help: "Time a scheduled job run took, in seconds.",
    labelNames: ["job"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers,
  });
  const breakerTrips = new client.Counter({
    name: "blitz_circuit_breaker_trips_total",
    help: "Features switched off automatically because their commands kept failing.",
    labelNames: ["feature"] as const,
    registers,
  });
  const adminActions = new client.Counter({
    name: "blitz_admin_actions_total",
    help: "Admin actions (Discord /admin and the admin API), by action and outcome.",
    labelNames: ["action", "outcome"] as const,
    registers,
  });
  const reports = new client.Counter({
    name: "blitz_reports_posted_total",
    help: "Daily and weekly reports posted.",
    labelNames: ["kind"] as const,
    registers,
  });
  reports.inc({ kind: "daily" }, 0);
  reports.inc({ kind: "weekly" }, 0);

  const gauge = (
    name: string,
    help: string,
    read: (sample: HealthSample) => number | null | undefined,
  ) =>
    new client.Gauge({
      name,
      help,
      registers,
      collect() {
        const sample = figures.sample();
        const value = sample ? read(sample) : undefined;
        if (value === null || value === undefined) this.reset();
        else this.set(value);
      },
    });
  gauge(
    "blitz_event_loop_delay_seconds",
    "Mean lateness of a 500 ms timer over the last 30 seconds, in seconds.",
    (s) => s.eventLoop.meanDelayMs / 1000,
  );
  gauge(
    "blitz_event_loop_delay_max_seconds",
    "Largest lateness of a 500 ms timer over the last 30 seconds, in seconds.",
    (s) => s.eventLoop.maxDelayMs / 1000,
  );
  gauge(
    "blitz_process_cpu_ratio",
    "CPU time used over wall time in the last sampling period (1 = one core busy).",
    (s) => s.cpu.percent / 100,
  );
  gauge(
    "blitz_disk_free_bytes",
    "Space available on the data volume, in bytes.",
    (s) => s.disk?.freeBytes,
  );
  gauge(
    "blitz_disk_used_ratio",
    "Used share of the data volume (0 to 1), as df counts it.",
    (s) => (s.disk ? s.disk.usedPercent / 100 : undefined),
  );
  gauge(
    "blitz_database_size_bytes",
    "Size of the database file, in bytes.",
    (s) => s.database.sizeBytes,
  );
  gauge(
    "blitz_database_wal_size_bytes",
    "Size of the database's write-ahead log, in bytes.",
    (s) => s.database.walBytes,
  );
  gauge(
    "blitz_command_error_ratio",
    "Share of commands that failed over the last 10 minutes (0 to 1).",
    (s) => s.commands.errorRatePercent / 100,
  );
  gauge(
    "blitz_gateway_down_seconds",
    "Seconds since the Discord gateway was last seen connected (0 while connected).",
    (s) => s.gateway.downSeconds,
  );
  new client.Gauge({
    name: "blitz_command_latency_window_seconds",
    help: "Command latency percentiles (50, 95, 99) over the last 10 minutes, in seconds.",
    labelNames: ["percentile"] as const,
    registers,
    collect() {
      const sample = figures.sample();
      this.reset();
      if (!sample) return;
      const { p50Ms, p95Ms, p99Ms } = sample.commands;
      if (p50Ms !== null) this.set({ percentile: "50" }, p50Ms / 1000);
      if (p95Ms !== null) this.set({ percentile: "95" }, p95Ms / 1000);
      if (p99Ms !== null) this.set({ percentile: "99" }, p99Ms / 1000);
    },
  });
  new client.Gauge({
    name: "blitz_health_level",
    help: "Overall health from the alert rules: 0 ok, 1 info, 2 warning, 3 critical.",
    registers,
    collect() {
      this.set(figures.healthLevel());
    },
  });
  new client.Gauge({
    name: "blitz_alert_level",
    help: "Each alert rule's current level: 0 ok, 1 info, 2 warning, 3 critical.",
    labelNames: ["rule"] as const,
    registers,
    collect() {
      this.reset();
      for (const { rule, level } of figures.ruleLevels()) this.set({ rule }, level);
    },
  });
  new client.Gauge({
    name: "blitz_job_last_success_timestamp_seconds",
    help: "Unix time of each scheduled job's last successful run (0 when it never succeeded).",
    labelNames: ["job"] as const,
    registers,
    collect() {
      this.reset();
      for (const job of figures.jobs()) {
        this.set({ job: job.name }, (job.lastSuccessAt ?? 0) / 1000);
      }
    },
  });
  new client.Gauge({
    name: "blitz_job_running",
    help: "1 while a scheduled job runs, else 0.",
    labelNames: ["job"] as const,
    registers,
    collect() {
      this.reset();
      for (const job of figures.jobs()) this.set({ job: job.name }, job.running ? 1 : 0);
    },
  });
  new client.Gauge({
    name: "blitz_job_consecutive_failures",
    help: "Failed runs of each job since its last success.",
    labelNames: ["job"] as const,
    registers,
    collect() {
      this.reset();
      for (const job of figures.jobs()) this.set({ job: job.name }, job.consecutiveFailures);
    },
  });
  new client.Gauge({
    name: "blitz_feature_enabled",
    help: "1 when a feature is switched on, 0 when off (feature flags, safe mode, breaker).",
    labelNames: ["feature"] as const,
    registers,
    collect() {
      this.reset();
      for (const f of figures.features()) this.set({ feature: f.name }, f.enabled ? 1 : 0);
    },
  });
  new client.Gauge({
    name: "blitz_maintenance_mode",
    help: "1 while maintenance mode answers game commands with the maintenance message.",
    registers,
    collect() {
      this.set(figures.maintenance() ? 1 : 0);
    },
  });

  return {
    error: (category) => errors.inc({ category }),
    alert: (rule, severity, kind) => alerts.inc({ rule, severity, kind }),
    alertSuppressed: (rule, severity) => suppressed.inc({ rule, severity }),
    alertDeliveryFailed: (target) => deliveryFailures.inc({ target }),
    jobRun(job, outcome, seconds) {
      jobRuns.inc({ job, outcome });
      if (seconds !== undefined) jobDuration.observe({ job }, seconds);
    },
    breakerTripped: (feature) => breakerTrips.inc({ feature }),
    adminAction: (action, outcome) => adminActions.inc({ action, outcome }),
    reportPosted: (kind) => reports.inc({ kind }),
  };
}
