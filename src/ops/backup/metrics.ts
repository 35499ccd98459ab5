/**
 * The backup service's Prometheus metrics, registered on the app's `BlitzMetrics.registry`.
 * Timestamps, sizes and ages are read from the manifest at scrape time, so they survive a
 * restart and include backups made by `blitz backup` in another process.
 */
import client from "prom-client";

/** What the gauges read when scraped. */
export interface BackupFigures {
  /** Newest successful backup: ms epoch and bytes; undefined when there is none. */
  newest(): { createdAtMs: number; sizeBytes: number } | undefined;
  /** Seconds since the newest verified backup was made; +Inf when there is none. */
  lastVerifiedAgeSeconds(): number;
}

/** What the service records. */
export interface BackupMetrics {
  observeBackup(outcome: "success" | "failure", durationSeconds: number): void;
  offsiteFailed(target: "copy_dir" | "post_command"): void;
}

/** Registers the backup metrics on `registry`. */
export function createBackupMetrics(
  registry: client.Registry,
  figures: BackupFigures,
): BackupMetrics {
  new client.Gauge({
    name: "blitz_backup_last_success_timestamp_seconds",
    help: "Unix time of the newest successful backup (0 when there is none).",
    registers: [registry],
    collect() {
      this.set((figures.newest()?.createdAtMs ?? 0) / 1000);
    },
  });
  new client.Gauge({
    name: "blitz_backup_size_bytes",
    help: "Size of the newest successful backup file, in bytes.",
    registers: [registry],
    collect() {
      this.set(figures.newest()?.sizeBytes ?? 0);
    },
  });
  new client.Gauge({
    name: "blitz_backup_last_verified_age_seconds",
    help:
      "Seconds since the newest backup that passed verification was made (+Inf when there is none).",
    registers: [registry],
    collect() {
      this.set(figures.lastVerifiedAgeSeconds());
    },
  });
  const duration = new client.Histogram({
    name: "blitz_backup_duration_seconds",
    help: "Time to make, verify and record one backup, in seconds.",
    labelNames: ["outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const total = new client.Counter({
    name: "blitz_backups_total",
    help: "Backups attempted, by outcome (success or failure).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  total.inc({ outcome: "success" }, 0);
  total.inc({ outcome: "failure" }, 0);
  const offsite = new client.Counter({
    name: "blitz_backup_offsite_failures_total",
    help:
      "Failed off-site steps after a backup: copy_dir (BACKUP_COPY_DIR) or post_command (BACKUP_POST_COMMAND).",
    labelNames: ["target"] as const,
    registers: [registry],
  });
  offsite.inc({ target: "copy_dir" }, 0);
  offsite.inc({ target: "post_command" }, 0);
  return {
    observeBackup(outcome, durationSeconds) {
      total.inc({ outcome });
      duration.observe({ outcome }, durationSeconds);
    },
    offsiteFailed(target) {
      offsite.inc({ target });
    },
  };
}
