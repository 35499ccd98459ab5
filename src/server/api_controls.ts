/**
 * Admin API, control side: feature flags, maintenance mode, VACUUM and the audit log. Every
 * change is audited with the actor "admin API" (or the `by` given in the body, e.g.
 * "tui@host"). Bad bodies answer 400 with what is wrong.
 *
 * - `GET /api/features` → `{features: [{name, enabled, description, reason, changedBy,
 *   changedAt, safeMode}]}`
 * - `POST /api/features` `{name, enabled: boolean, reason?, by?}` → `{feature: FeatureState}`
 * - `GET /api/maintenance` → `{maintenance: {enabled, message, since, by}}`
 * - `POST /api/maintenance` `{enabled: boolean, message?, by?}` (`on` is taken for `enabled`)
 *   → `{maintenance}`
 * - `POST /api/vacuum` `{by?}` → `{vacuum: {bytesBefore, bytesAfter, reclaimedBytes,
 *   durationMs}}`
 * - `GET /api/audit?limit=50&before=ID&action=backup` → `{entries: [{id, at, actor: {id, name,
 *   source: "discord"|"api"|"system"|"cli"}, guildId, action, target, detail,
 *   outcome: "ok"|"refused"|"failed"}]}` (newest first; page with `before` = the last id)
 */
import type { Hono } from "hono";
import type { AdminActions } from "../services/admin_actions.ts";
import type { Actor, AuditLog } from "../services/audit.ts";
import { type FeatureFlags, FEATURES, isFeatureName } from "../services/features.ts";
import type { MaintenanceMode } from "../services/maintenance_mode.ts";
import { ApiError, type ApiRouteGroup, readJson } from "./api.ts";
import { intParam } from "./api_status.ts";

/** What the control routes need (the ops runtime provides it). */
export interface ControlsApiDeps {
  actions: AdminActions;
  features: FeatureFlags;
  maintenance: MaintenanceMode;
  audit: AuditLog;
}

/** The actor of an API call: "admin API", or the `by` the caller gave. */
export function apiActor(body: Record<string, unknown>): Actor {
  const by = body.by;
  if (by !== undefined && (typeof by !== "string" || by.length === 0 || by.length > 64)) {
    throw new ApiError(400, "bad_request", '"by" must be a short name (1 to 64 characters)');
  }
  return { id: "api", name: (by as string | undefined) ?? "admin API", source: "api" };
}

function optionalText(
  body: Record<string, unknown>,
  name: string,
  max: number,
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) {
    throw new ApiError(400, "bad_request", `"${name}" must be text of at most ${max} characters`);
  }
  return value;
}

function requiredBoolean(body: Record<string, unknown>, name: string, example: string): boolean {
  if (typeof body[name] !== "boolean") {
    throw new ApiError(
      400,
      "bad_request",
      `"${name}" must be true or false, e.g. ${example}`,
    );
  }
  return body[name] as boolean;
}

/** The control routes, mounted under `/api`. */
export function createControlsApiGroup(deps: ControlsApiDeps): ApiRouteGroup {
  return (api: Hono) => {
    api.get("/features", (c) => c.json({ features: deps.features.list() }));

    api.post("/features", async (c) => {
      const body = await readJson(c);
      const name = body.name;
      if (typeof name !== "string" || !isFeatureName(name)) {
        throw new ApiError(
          400,
          "bad_request",
          `"name" must be one of ${FEATURES.join(", ")}${
            name === undefined ? "" : `, got ${JSON.stringify(name)}`
          }`,
        );
      }
      const enabled = requiredBoolean(body, "enabled", '{"name": "solo", "enabled": false}');
      const reason = optionalText(body, "reason", 200);
      const actor = apiActor(body);
      return c.json({ feature: deps.actions.setFeature(name, enabled, actor, reason) });
    });

    api.get("/maintenance", (c) => c.json({ maintenance: deps.maintenance.state() }));

    api.post("/maintenance", async (c) => {
      const body = await readJson(c);
      if (body.enabled === undefined && body.on !== undefined) body.enabled = body.on;
      const enabled = requiredBoolean(
        body,
        "enabled",
        '{"enabled": true, "message": "Back at 10:00"}',
      );
      const message = optionalText(body, "message", 300);
      const actor = apiActor(body);
      return c.json({ maintenance: deps.actions.setMaintenance(enabled, actor, message) });
    });

    api.post("/vacuum", async (c) => {
      const body = await readJson(c);
      const actor = apiActor(body);
      return c.json({ vacuum: deps.actions.vacuum(actor) });
    });

    api.get("/audit", (c) => {
      const limit = intParam(c.req.query("limit"), "limit", 50, 1, 500);
      const before = c.req.query("before");
      const beforeId = before === undefined
        ? undefined
        : intParam(before, "before", 0, 1, Number.MAX_SAFE_INTEGER);
      const action = c.req.query("action");
      return c.json({
        entries: deps.audit.list({
          limit,
          ...(beforeId !== undefined ? { beforeId } : {}),
          ...(action ? { action } : {}),
        }),
      });
    });
  };
}
