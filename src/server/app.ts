/**
 * The HTTP surface (Hono): `/health` (readiness), `/health/live` (liveness) and `/metrics`.
 * The admin API under `/api` joins later. Public routes need no token and do no slow work.
 */
import { Hono } from "hono";
import type { HealthMonitor } from "../ops/health.ts";
import type { BlitzMetrics } from "../ops/metrics.ts";
import type { Logger } from "../log.ts";
import { type ApiRouteGroup, createApiApp } from "./api.ts";

/** What the HTTP app needs. */
export interface HttpDeps {
  health: HealthMonitor;
  metrics: BlitzMetrics;
  version: string;
  logger: Logger;
  /** The admin token; without it, no `/api` is mounted. */
  adminToken?: () => string;
  /** Admin route groups, mounted under `/api` behind the token. */
  apiGroups?: readonly ApiRouteGroup[];
  /** Called for every route failure answered with 500 (error tracking). */
  onError?: (error: unknown, route: string) => void;
}

/** Builds the Hono app; test it in-process with `app.request()`. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();

  app.get("/health", (c) => {
    const report = deps.health.report();
    const body = {
      status: report.status,
      discord: report.discord,
      uptime_seconds: report.uptimeSeconds,
      version: deps.version,
      checks: report.checks,
      ...(report.failing.length > 0 ? { failing: report.failing } : {}),
      ...(report.gatewayLatencyMs !== undefined
        ? { gateway_latency_ms: report.gatewayLatencyMs }
        : {}),
    };
    c.header("Cache-Control", "no-store");
    return c.json(body, report.status === "ok" ? 200 : 503);
  });

  app.get("/health/live", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "alive" });
  });

  app.get("/metrics", async (c) => {
    const text = await deps.metrics.render();
    return c.body(text, 200, { "Content-Type": deps.metrics.contentType });
  });

  if (deps.adminToken) {
    app.route(
      "/api",
      createApiApp({
        adminToken: deps.adminToken,
        groups: deps.apiGroups ?? [],
        logger: deps.logger,
      }),
    );
  }

  app.notFound((c) =>
    c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}` }, 404)
  );
  app.onError((error, c) => {
    deps.logger.error("HTTP {method} {path} failed: {error}", {
      method: c.req.method,
      path: c.req.path,
      error,
    });
    deps.onError?.(error, `${c.req.method} ${c.req.path}`);
    return c.json({ error: "internal", message: "Internal error; see the Blitz log" }, 500);
  });
  return app;
}
