/**
 * The admin API under `/api`: bearer token from `<data>/admin.token`, JSON in and out,
 * bodies over 64 KB refused. Route groups (backups, status, features, …) are added with
 * {@link ApiRouteGroup}s listed statically in `src/app.ts`.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Context } from "hono";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "../log.ts";

/** Largest accepted request body, in bytes. */
export const API_BODY_LIMIT = 64 * 1024;

/** A group of admin routes mounted under `/api`. */
export type ApiRouteGroup = (api: Hono) => void;

/** An error an API handler throws to answer with a status and a clear message. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function tokensEqual(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads and parses a JSON body, answering 400 with what is wrong when it is not JSON. */
export async function readJson<T = Record<string, unknown>>(c: Context): Promise<T> {
  const text = await c.req.text();
  if (text.trim() === "") return {} as T;
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ApiError(400, "bad_request", "The request body must be a JSON object");
    }
    return value as T;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      400,
      "bad_request",
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Builds the `/api` sub-app: authentication, size limit, error mapping, then the groups. */
export function createApiApp(
  options: { adminToken: () => string; groups: readonly ApiRouteGroup[]; logger: Logger },
): Hono {
  const api = new Hono();
  api.use("*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return c.json({
        error: "unauthorized",
        message:
          "Missing bearer token: send 'Authorization: Bearer <token>' with the token from <data>/admin.token",
      }, 401);
    }
    if (!tokensEqual(match[1]!, options.adminToken())) {
      return c.json({
        error: "unauthorized",
        message: "Wrong token: use the one in <data>/admin.token of the running instance",
      }, 401);
    }
    await next();
  });
  api.use(
    "*",
    bodyLimit({
      maxSize: API_BODY_LIMIT,
      onError: (c) =>
        c.json({
          error: "payload_too_large",
          message: `Request bodies are limited to ${API_BODY_LIMIT} bytes`,
        }, 413),
    }),
  );
  for (const group of options.groups) group(api);
  api.notFound((c) =>
    c.json({ error: "not_found", message: `No API route for ${c.req.method} ${c.req.path}` }, 404)
  );
  api.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json({ error: error.code, message: error.message }, error.status);
    }
    options.logger.error("API {method} {path} failed: {error}", {
      method: c.req.method,
      path: c.req.path,
      error,
    });
    return c.json({ error: "internal", message: "Internal error; see the Blitz log" }, 500);
  });
  return api;
}
