/**
 * What the dashboard shows, as plain data. The API client fills it from `/api`; panels only
 * read it, so each panel is tested by handing it a model.
 */

/** Connection to the running instance. */
export type Reachability =
  | { kind: "connecting" }
  | { kind: "ok" }
  | { kind: "unreachable"; reason: string; retryInMs: number }
  | { kind: "unauthorized"; message: string };

/** Status panel. */
export interface StatusModel {
  state: "online" | "offline" | "starting";
  uptimeSeconds: number;
  version: string;
  gatewayLatencyMs?: number;
  guilds?: number;
  safeMode: boolean;
  maintenance?: string | null;
  sandbox?: boolean;
}

/** Resources panel; `history` holds the last samples, oldest first. */
export interface ResourcesModel {
  rssBytes: number;
  heapUsedBytes: number;
  cpuPercent?: number;
  eventLoopDelayMs?: number;
  diskFreeBytes?: number;
  diskUsedPercent?: number;
  dbBytes?: number;
  walBytes?: number;
  history: { rss: number[]; heap: number[] };
}

/** Traffic panel. */
export interface TrafficModel {
  commandsPerMinute?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  rateLimited?: number;
  errorRatePercent?: number;
}

/** Games panel. */
export interface GamesModel {
  active: number;
  completedToday?: number;
  topPlayers: { name: string; rating: number; wins: number; losses: number }[];
}

/** One recent error. */
export interface ErrorEntry {
  at: string;
  category: string;
  message: string;
  command?: string;
}

/** Errors panel. */
export interface ErrorsModel {
  total: number;
  byCategory: Record<string, number>;
  recent: ErrorEntry[];
}

/** One scheduled job. */
export interface JobEntry {
  name: string;
  nextRun?: string;
  lastOutcome?: "success" | "failure" | "running" | string;
  lastDurationMs?: number;
  lastRunAt?: string;
}

/** One backup, newest first in lists. */
export interface BackupEntry {
  file: string;
  createdAt: string;
  sizeBytes: number;
  kind: string;
  state: "verified" | "unverified" | "damaged";
}

/** One active alert. */
export interface AlertEntry {
  rule: string;
  severity: "info" | "warning" | "critical";
  message: string;
  since?: string;
}

/** One feature flag. */
export interface FeatureEntry {
  name: string;
  enabled: boolean;
  reason?: string;
}

/** One log line. */
export interface LogEntry {
  at: string;
  level: string;
  category: string;
  message: string;
}

/** Everything on screen. */
export interface DashboardModel {
  url: string;
  reach: Reachability;
  status?: StatusModel;
  resources?: ResourcesModel;
  traffic?: TrafficModel;
  games?: GamesModel;
  errors?: ErrorsModel;
  jobs: JobEntry[];
  backups: BackupEntry[];
  alerts: AlertEntry[];
  features: FeatureEntry[];
  logs: LogEntry[];
  /** The last action's result line ("Backup created: …"), shown in the footer. */
  notice?: { text: string; tone: "ok" | "error" | "info" };
}

/** An empty model before the first answer. */
export function emptyModel(url: string): DashboardModel {
  return {
    url,
    reach: { kind: "connecting" },
    jobs: [],
    backups: [],
    alerts: [],
    features: [],
    logs: [],
  };
}
