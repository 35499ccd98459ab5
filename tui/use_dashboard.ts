/**
 * Keeps the model fresh: polls the instance (and listens to its stream when it has one),
 * backs off while it is unreachable, and recovers by itself when it answers again.
 */
import { useEffect, useRef, useState } from "react";
import { type DashboardApi, UnauthorizedError } from "./api.ts";
import { type DashboardModel, emptyModel } from "./model.ts";

/** Polling periods and backoff, in ms. */
export interface RefreshOptions {
  snapshotMs: number;
  listsMs: number;
  maxBackoffMs: number;
  historyLength: number;
}

const DEFAULTS: RefreshOptions = {
  snapshotMs: 1000,
  listsMs: 5000,
  maxBackoffMs: 30_000,
  historyLength: 60,
};

/** The delay before retry number `attempt` (1-based): 1 s, 2 s, 4 s … up to `max`. */
export function backoffDelay(attempt: number, max: number): number {
  return Math.min(max, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** The model, refreshed; `patch` lets key handlers add a notice or a fresh list. */
export function useDashboard(api: DashboardApi, options: Partial<RefreshOptions> = {}) {
  const opts = { ...DEFAULTS, ...options };
  const [model, setModel] = useState<DashboardModel>(() => emptyModel(api.url));
  const failures = useRef(0);
  const lastLists = useRef(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const snapshot = await api.snapshot();
        let lists: Partial<DashboardModel> = {};
        if (Date.now() - lastLists.current >= opts.listsMs || failures.current > 0) {
          const [backups, jobs, features, logs] = await Promise.all([
            api.backups(),
            api.jobs(),
            api.features(),
            api.logs(200),
          ]);
          lists = { backups, jobs, features, logs };
          lastLists.current = Date.now();
        }
        failures.current = 0;
        if (stopped) return;
        setModel((m) => {
          const history = m.resources?.history ?? { rss: [], heap: [] };
          const resources = snapshot.resources
            ? {
              ...snapshot.resources,
              history: {
                rss: [...history.rss, snapshot.resources.rssBytes].slice(-opts.historyLength),
                heap: [...history.heap, snapshot.resources.heapUsedBytes].slice(
                  -opts.historyLength,
                ),
              },
            }
            : m.resources;
          return { ...m, ...snapshot, ...lists, resources, reach: { kind: "ok" } };
        });
        timer = setTimeout(tick, opts.snapshotMs);
      } catch (error) {
        if (stopped) return;
        if (error instanceof UnauthorizedError) {
          setModel((m) => ({ ...m, reach: { kind: "unauthorized", message: error.message } }));
          timer = setTimeout(tick, opts.maxBackoffMs);
          return;
        }
        failures.current++;
        const delay = backoffDelay(failures.current, opts.maxBackoffMs);
        const reason = (error as Error).message;
        setModel((m) => ({ ...m, reach: { kind: "unreachable", reason, retryInMs: delay } }));
        timer = setTimeout(tick, delay);
      }
    };
    tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api]);

  const patch = (change: Partial<DashboardModel>) => setModel((m) => ({ ...m, ...change }));
  return { model, patch };
}
