/**
 * The REST API (`/api/v10/...`): route matching, `Authorization: Bot <token>`, rate limits
 * with Discord's headers, body parsing with Discord's errors, and a hook where fault
 * injection (latency, 5xx, forced 429s) can plug in later. Handlers live in `rest_*.ts`.
 *
 * @module
 */
import type { CommandRegistry } from "./commands.ts";
import { discordError, DiscordErrors, json } from "./errors.ts";
import { matchRoute, readBody } from "./http.ts";
import type { MessageStore } from "./messages.ts";
import type { BucketRule, RateLimiter } from "./rate_limit.ts";
import type { InteractionResponses } from "./responses.ts";
import { applicationRoutes } from "./rest_application.ts";
import { channelRoutes } from "./rest_channels.ts";
import type { World } from "./state.ts";

/** What a handler gets. */
export interface RestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  request: Request;
}

/** One REST route. */
export interface RestRoute {
  method: string;
  /** Template after `/api/v10`, e.g. "/channels/{channel.id}/messages". */
  path: string;
  /** "bot": needs the bot token; "none": the URL's token (interactions, webhooks) is the credential. */
  auth: "bot" | "none";
  bucket: BucketRule;
  /** The param naming the top-level resource the bucket is counted per, if any. */
  resource?: string[];
  /** False for interaction endpoints, which Discord keeps out of the global limit. */
  global?: boolean;
  handle(context: RestContext): Response | Promise<Response>;
}

/** A hook run before a request is handled; a returned Response is sent instead (fault injection). */
export type RestInterceptor = (
  route: RestRoute,
  request: Request,
) => Response | undefined | Promise<Response | undefined>;

/** Everything the REST handlers use. */
export interface RestDeps {
  world: World;
  messages: MessageStore;
  commands: CommandRegistry;
  responses: InteractionResponses;
  limiter: RateLimiter;
  /** The gateway URL and how many IDENTIFYs it has seen (for session_start_limit). */
  gateway: () => { url: string; identifies: number };
  intercept?: RestInterceptor;
}

/** A generous default bucket for reads and rarely used routes. */
export const DEFAULT_BUCKET: BucketRule = { limit: 50, windowMs: 1000 };

/** Creates the REST handler for requests whose path starts with `/api`. */
export function createRestApi(deps: RestDeps): (request: Request, url: URL) => Promise<Response> {
  const routes: RestRoute[] = [...applicationRoutes(deps), ...channelRoutes(deps)];
  const { world } = deps;

  return async (request, url) => {
    const version = /^\/api\/v(\d+)(\/.*)?$/.exec(url.pathname);
    if (!version) return DiscordErrors.notFound();
    if (version[1] !== "10") return DiscordErrors.invalidApiVersion();
    const path = version[2] ?? "/";
    const { match, pathExists } = matchRoute(routes, request.method, path);
    if (!match) return pathExists ? DiscordErrors.methodNotAllowed() : DiscordErrors.notFound();
    const route = match.route;

    const authorized = request.headers.get("authorization") === `Bot ${world.token}`;
    const intercepted = await deps.intercept?.(route, request);
    if (intercepted) return intercepted;

    const decision = deps.limiter.consume({
      identity: authorized ? world.token : "anonymous",
      route: `${route.method} ${route.path}`,
      resource: (route.resource ?? []).map((p) => match.params[p] ?? "").join("/"),
      rule: route.bucket,
      global: route.global !== false,
    });
    if (!decision.allowed) {
      world.log("info", "REST request rate limited", {
        route: route.path,
        retryAfter: decision.retryAfter,
      });
      return json(429, {
        message: "You are being rate limited.",
        retry_after: Number((decision.retryAfter ?? 0).toFixed(3)),
        global: decision.global === true,
      }, decision.headers);
    }

    if (route.auth === "bot" && !authorized) {
      world.log("warn", "REST request refused: missing or invalid bot token", {
        method: request.method,
        route: route.path,
      });
      return withHeaders(DiscordErrors.unauthorized(), decision.headers);
    }

    let body: unknown;
    if (request.method !== "GET" && request.method !== "DELETE") {
      const parsed = await readBody(request);
      if (!parsed.ok) return withHeaders(DiscordErrors.invalidJson(), decision.headers);
      body = parsed.body;
    }
    const response = await route.handle({
      params: match.params,
      query: url.searchParams,
      body,
      request,
    });
    world.log("debug", "REST", {
      method: request.method,
      route: route.path,
      status: response.status,
    });
    return withHeaders(response, decision.headers);
  };
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [key, value] of Object.entries(headers)) response.headers.set(key, value);
  return response;
}

/** 403 for another application's resources. */
export function notYourApplication(): Response {
  return discordError(
    403,
    20012,
    "You are not authorized to perform this action on this application",
  );
}
