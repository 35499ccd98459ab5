/**
 * Everything the monitor knows, in one JSON-ready object: `GET /api/status`, the `status`
 * events of `/api/stream`, `/admin health` and the dashboard all render this shape.
 */
import type { RuleVerdict, Severity } from "./alert_rules.ts";
import type { ActiveAlert, AlertRecord } from "./alerter.ts";
import type { ErrorCategory, TrackedError } from "./error_tracker.ts";
import type { HealthSample } from "./monitor.ts";
import type { JobStatus } from "../scheduler/scheduler.ts";
import type { FeatureState } from "../services/features.ts";
import type { MaintenanceState } from "../services/maintenance_mode.ts";

/** The status of a running Blitz. Times are ms since the epoch; sizes are bytes. */
export interface OpsStatus {
  version: string;
  at: number;
  startedAt: number;
  uptimeSeconds: number;
  timeZone: string;
  sandbox: boolean;
  /** Readiness as `/health` says it. */
  status: "ok" | "unavailable";
  checks: { database: "pass" | "fail"; gateway: "pass" | "fail"; heartbeat: "pass" | "fail" };
  /** The most severe tripped alert rule ("ok" when none). */
  health: "ok" | Severity;
  sample: HealthSample;
  rules: RuleVerdict[];
  alerts: { active: ActiveAlert[]; recent: AlertRecord[] };
  errors: {
    /** Since this process started. */
    totals: Record<ErrorCategory, number>;
    last10m: number;
    byCategory10m: Record<ErrorCategory, number>;
    recent: TrackedError[];
  };
  jobs: JobStatus[];
  features: FeatureState[];
  maintenance: MaintenanceState;
  safeMode: boolean;
  /** Shutting down: no new games are taken. */
  draining: boolean;
  games: {
    active: number;
    /** Games completed since local midnight (BLITZ_TIMEZONE); null while the store is busy. */
    completedToday: number | null;
    /** The best five players by rating. */
    topPlayers: { id: string; name: string; rating: number; wins: number; losses: number }[];
    records: { players: number; games: number; openGames: number; archivedGames: number } | null;
  };
  /** Commands and clicks refused by the per-user rate limit since start. */
  rateLimited: number;
  backups: {
    inProgress: string | null;
    newestVerified: { file: string; createdAt: string; ageSeconds: number } | null;
    newest: { file: string; createdAt: string; sizeBytes: number } | null;
  };
  interactions: { inFlight: number };
}
