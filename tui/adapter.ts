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

const iso = (
  ms: unknown,
):
  | string
  | undefined => (typeof ms === "number" && Number.isFinite(ms)
    ? new Date(ms).toISOString()
    : undefined);

/** One job from `GET /api/jobs` or `GET /api/status` (`JobStatus`). */
function toJob(j: Json): JobEntry {
  const run = j?.lastRun;
  const duration = num(run?.finished_at) !== undefined && num(run?.started_at) !== undefined
    ? run.finished_at - run.started_at
    : undefined;
  return {
    name: str(j?.name) ?? "?",
    nextRun: iso(j?.nextRunAt),
    lastOutcome: j?.running === true ? "running" : str(run?.outcome),
    lastDurationMs: duration,
    lastRunAt: iso(run?.started_at),
  };
}

/** `GET /api/jobs`. */
export function toJobs(json: Json): JobEntry[] {
  return list(json?.jobs).map(toJob);
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

/** `GET /api/status` (the `OpsStatus` shape of src/ops/status.ts). */
export function toSnapshot(json: Json): Snapshot {
  const sample = json?.sample ?? {};
  const commands = sample.commands ?? {};
  const windowMinutes = (num(commands.windowSeconds) ?? 600) / 60;
  const totals: Record<string, number> = json?.errors?.totals ?? {};
  const ready = json?.status === "ok";
  const uptime = num(json?.uptimeSeconds) ?? 0;
  return {
    status: {
      state: ready ? "online" : uptime < 30 ? "starting" : "offline",
      uptimeSeconds: uptime,
      version: str(json?.version) ?? "?",
      gatewayLatencyMs: num(sample.gateway?.latencyMs),
      guilds: num(json?.guilds),
      safeMode: json?.safeMode === true,
      maintenance: json?.maintenance?.enabled ? (str(json.maintenance.message) || "on") : null,
      sandbox: json?.sandbox === true,
    },
    resources: {
      rssBytes: num(sample.memory?.rssBytes) ?? 0,
      heapUsedBytes: num(sample.memory?.heapUsedBytes) ?? 0,
      cpuPercent: num(sample.cpu?.percent),
      eventLoopDelayMs: num(sample.eventLoop?.meanDelayMs),
      diskFreeBytes: num(sample.disk?.freeBytes),
      diskUsedPercent: num(sample.disk?.usedPercent),
      dbBytes: num(sample.database?.sizeBytes),
      walBytes: num(sample.database?.walBytes),
      history: { rss: [], heap: [] },
    },
    traffic: {
      commandsPerMinute: num(commands.count) !== undefined
        ? commands.count / windowMinutes
        : undefined,
      p50Ms: num(commands.p50Ms),
      p95Ms: num(commands.p95Ms),
      p99Ms: num(commands.p99Ms),
      rateLimited: num(json?.rateLimited),
      errorRatePercent: num(commands.errorRatePercent),
    },
    games: {
      active: num(json?.games?.active) ?? 0,
      completedToday: num(json?.games?.completedToday),
      topPlayers: list(json?.games?.topPlayers).map((p) => ({
        name: str(p?.name) ?? "?",
        rating: num(p?.rating) ?? 0,
        wins: num(p?.wins) ?? 0,
        losses: num(p?.losses) ?? 0,
      })),
    },
    errors: {
      total: Object.values(totals).reduce((a, b) => a + (Number(b) || 0), 0),
      byCategory: totals,
      recent: list(json?.errors?.recent).map((e) => ({
        at: iso(e?.at) ?? "",
        category: str(e?.category) ?? "?",
        message: str(e?.message) ?? "",
        command: str(e?.command),
      })),
    },
    alerts: list(json?.alerts?.active).map((a) => ({
      rule: str(a?.rule) ?? "?",
      severity: a?.severity === "critical" || a?.severity === "warning" ? a.severity : "info",
      message: `${str(a?.title) ?? str(a?.rule) ?? "alert"}${a?.value ? `: ${a.value}` : ""}`,
      since: iso(a?.since),
    })),
  };
}

/** `GET /api/games`: merged into the snapshot's games panel. */
export function toGames(json: Json): NonNullable<Snapshot["games"]> {
  return {
    active: num(json?.active) ?? 0,
    completedToday: num(json?.completedToday),
    topPlayers: list(json?.topPlayers).map((p) => ({
      name: str(p?.name) ?? "?",
      rating: num(p?.rating) ?? 0,
      wins: num(p?.wins) ?? 0,
      losses: num(p?.losses) ?? 0,
    })),
  };
}
