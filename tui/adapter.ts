/**
 * From the admin API's JSON to the dashboard's model. Every reader is defensive: a missing
 * or odd field becomes "unknown" on screen rather than an exception.
 */
import type { Snapshot } from "./api.ts";
import type { BackupEntry, FeatureEntry, JobEntry, LogEntry } from "./model.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const num = (
  v: unknown,
): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v : []);

/** One backup from `GET /api/backups` or `POST /api/backups`. */
export function toBackup(b: Json): BackupEntry {
  const state = str(b?.state);
  return {
    file: str(b?.file) ?? str(b?.path)?.split("/").pop() ?? "?",
    createdAt: str(b?.createdAt) ?? "",
    sizeBytes: num(b?.sizeBytes) ?? num(b?.size) ?? 0,
    kind: str(b?.kind) ?? "unknown",
    state: state === "verified" || state === "damaged"
      ? state
      : b?.verified === true
      ? "verified"
      : "unverified",
  };
}

/** `GET /api/backups`, newest first. */
export function toBackups(json: Json): BackupEntry[] {
  return list(json?.backups).map(toBackup).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** `GET /api/jobs`. */
export function toJobs(json: Json): JobEntry[] {
  return list(json?.jobs).map((j) => ({
    name: str(j?.name) ?? "?",
    nextRun: str(j?.nextRun),
    lastOutcome: str(j?.lastRun?.outcome) ?? str(j?.lastOutcome),
    lastDurationMs: num(j?.lastRun?.durationMs) ?? num(j?.lastDurationMs),
    lastRunAt: str(j?.lastRun?.startedAt),
  }));
}

/** `GET /api/features`. */
export function toFeatures(json: Json): FeatureEntry[] {
  return list(json?.features).map((f) => ({
    name: str(f?.name) ?? "?",
    enabled: f?.enabled === true,
    reason: str(f?.reason),
  }));
}

/** `GET /api/logs?tail=N`: LogTape JSON lines. */
export function toLogs(json: Json): LogEntry[] {
  return list(json?.lines ?? json?.logs).map((l) => ({
    at: str(l?.["@timestamp"]) ?? str(l?.at) ?? str(l?.timestamp) ?? "",
    level: (str(l?.level) ?? "info").toLowerCase(),
    category: Array.isArray(l?.logger)
      ? l.logger.join(".")
      : str(l?.logger) ?? str(l?.category) ?? "",
    message: str(l?.message) ?? "",
  }));
}

/** `GET /api/status`. */
export function toSnapshot(json: Json): Snapshot {
  return {
    status: json?.status
      ? {
        state: json.status.state ?? "offline",
        uptimeSeconds: num(json.status.uptimeSeconds) ?? 0,
        version: str(json.status.version) ?? "?",
        gatewayLatencyMs: num(json.status.gatewayLatencyMs),
        guilds: num(json.status.guilds),
        safeMode: json.status.safeMode === true,
        maintenance: json.status.maintenance ?? null,
        sandbox: json.status.sandbox === true,
      }
      : undefined,
    resources: json?.resources ? { ...json.resources, history: { rss: [], heap: [] } } : undefined,
    traffic: json?.traffic,
    games: json?.games ? { ...json.games, topPlayers: list(json.games.topPlayers) } : undefined,
    errors: json?.errors
      ? {
        total: num(json.errors.total) ?? 0,
        byCategory: json.errors.byCategory ?? {},
        recent: list(json.errors.recent),
      }
      : undefined,
    alerts: list(json?.alerts),
  };
}
