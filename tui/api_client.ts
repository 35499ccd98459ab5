/**
 * The dashboard's HTTP client for the running instance's admin API (`/api`, bearer token).
 * Maps answers into the dashboard's model (`adapter.ts`) and failures into the three errors
 * the dashboard shows: unreachable, wrong token, action refused.
 */
import {
  ActionRefusedError,
  type DashboardApi,
  UnauthorizedError,
  UnreachableError,
} from "./api.ts";
import { toBackup, toBackups, toFeatures, toGames, toJobs, toLogs, toSnapshot } from "./adapter.ts";

/** Options for {@link createHttpApi}. */
export interface HttpApiOptions {
  /** Base URL of the instance, e.g. `http://127.0.0.1:8000`. */
  url: string;
  token: string;
  /** Per-request timeout in ms (default 5000; backups and restores get 10 minutes). */
  timeoutMs?: number;
}

function reasonOf(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if (/refused/i.test(message)) return "connection refused";
  if (
    /timed? ?out|TimeoutError|aborted/i.test(message) || (error as Error)?.name === "TimeoutError"
  ) return "timed out";
  if (/dns|lookup|resolve/i.test(message)) return "host not found";
  return message.split("\n")[0]!.slice(0, 80);
}

/** Creates the client. */
export function createHttpApi(options: HttpApiOptions): DashboardApi {
  const base = options.url.replace(/\/+$/, "");
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = options.timeoutMs ?? 5000,
  ) => {
    let response: Response;
    try {
      response = await fetch(`${base}/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UnreachableError(reasonOf(error));
    }
    const text = await response.text().catch(() => "");
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      if (response.ok) {
        throw new UnreachableError(`not Blitz's API at ${base} (answer is not JSON)`);
      }
    }
    const message = typeof json.message === "string" ? json.message : `HTTP ${response.status}`;
    if (response.status === 401) throw new UnauthorizedError(message);
    if (response.status === 404 && path === "/status") {
      throw new UnreachableError(`no Blitz admin API at ${base} (HTTP 404)`);
    }
    if (response.status >= 500 && method === "GET") {
      throw new UnreachableError(`HTTP ${response.status}: ${message}`);
    }
    if (!response.ok) throw new ActionRefusedError(message);
    return json;
  };
  const long = 10 * 60_000;
  return {
    url: base,
    snapshot: async () => {
      const [status, games] = await Promise.all([
        request("GET", "/status"),
        request("GET", "/games").catch((error) => {
          if (error instanceof ActionRefusedError) return undefined; // an older instance without /api/games
          throw error;
        }),
      ]);
      const snapshot = toSnapshot(status);
      return games ? { ...snapshot, games: toGames(games) } : snapshot;
    },
    backups: async () => toBackups(await request("GET", "/backups")),
    jobs: async () => toJobs(await request("GET", "/jobs")),
    features: async () => toFeatures(await request("GET", "/features")),
    logs: async (tail) => toLogs(await request("GET", `/logs?tail=${tail}`)),
    backupNow: async () =>
      toBackup(
        await request(
          "POST",
          "/backups",
          { kind: "manual", label: "dashboard", by: "dashboard" },
          long,
        ),
      ),
    restore: async (file) => {
      const result = await request(
        "POST",
        "/restore",
        { file, confirm: true, by: "dashboard" },
        long,
      );
      return typeof result.message === "string" ? result.message : `Restored ${file}`;
    },
    setFeature: async (name, enabled) => {
      const result = await request("POST", "/features", {
        name,
        enabled,
        reason: "from the dashboard",
      });
      return toFeatures({ features: [result.feature ?? result] })[0] ?? { name, enabled };
    },
    setMaintenance: async (on, message) => {
      const result = await request("POST", "/maintenance", { on, ...(message ? { message } : {}) });
      return typeof result.message === "string" && !on
        ? result.message
        : `Maintenance mode ${on ? "on" : "off"}`;
    },
    vacuum: async () => {
      const result = await request("POST", "/vacuum", { by: "dashboard" }, long);
      const reclaimed = Number(
        (result.vacuum as { reclaimedBytes?: number } | undefined)?.reclaimedBytes ?? NaN,
      );
      return Number.isFinite(reclaimed)
        ? `VACUUM + ANALYZE done, ${Math.round(reclaimed / 1000)} KB reclaimed`
        : "VACUUM + ANALYZE done";
    },
  };
}
