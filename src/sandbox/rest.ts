/**
 * The REST API (`/api/v10/...`): route matching, `Authorization: Bot <token>`, rate limits
 * with Discord's headers (per route and global), body parsing with Discord's errors, the
 * invalid-request counter and its "Cloudflare" ban, the watch on requests sent before their
 * Retry-After, and the hook where faults (latency, 5xx, forced 429s, stalls) plug in.
 * Handlers live in `rest_*.ts`.
 *
 * @module
 */
import type { CommandRegistry } from "./commands.ts";
import { discordError, DiscordErrors, json } from "./errors.ts";
import { matchRoute, readBody } from "./http.ts";
import type { MessageStore } from "./messages.ts";
import type { BucketRule, RateLimiter } from "./rate_limit.ts";
import type { InteractionResponses } from "./responses.ts";
import type { RestFaultContext } from "./faults_rest.ts";
import { applicationRoutes } from "./rest_application.ts";
import { channelRoutes } from "./rest_channels.ts";
import type { RestWatch } from "./rest_watch.ts";
import type { World } from "./state.ts";

/** What a handler gets. */
export interface RestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The JSON body as it was sent (UTF-8), when there was one. */
  raw?: Uint8Array;
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
  context: RestFaultContext,
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
  watch: RestWatch;
  intercept?: RestInterceptor;
}

/** A generous default bucket for reads and rarely used routes. */
export const DEFAULT_BUCKET: BucketRule = { limit: 50, windowMs: 1000 };

/** Creates the REST handler for requests whose path starts with `/api`; `ip` is the caller's address. */
export function createRestApi(
  deps: RestDeps,
): (request: Request, url: URL, ip: string) => Promise<Response> {
  const routes: RestRoute[] = [...applicationRoutes(deps), ...channelRoutes(deps)];
  const { world, watch } = deps;

  const answer = async (request: Request, url: URL, ip: string): Promise<Response> => {
    const version = /^\/api\/v(\d+)(\/.*)?$/.exec(url.pathname);
    if (!version) return DiscordErrors.notFound();
    if (version[1] !== "10") return DiscordErrors.invalidApiVersion();
    const path = version[2] ?? "/";
    const { match, pathExists } = matchRoute(routes, request.method, path);
    if (!match) return pathExists ? DiscordErrors.methodNotAllowed() : DiscordErrors.notFound();
    const route = match.route;
    const routeName = `${route.method} ${route.path}`;

    const header = request.headers.get("authorization") ?? "";
    const authorized = header.startsWith("Bot ") && world.isValidToken(header.slice(4));
    // Discord counts limits per token; unauthenticated requests per IP.
    const identity = authorized ? `bot:${world.applicationId}` : `ip:${ip}`;
    const resource = (route.resource ?? []).map((p) => match.params[p] ?? "").join("/");
    const routeScope = `${identity}\n${routeName}\n${resource}`;
    const countsGlobally = route.global !== false;
    const globalScope = countsGlobally ? `${identity}\nglobal` : null;
    const scopes = globalScope ? [routeScope, globalScope] : [routeScope];
    watch.arrival({ scopes, method: request.method, path });

    const intercepted = await deps.intercept?.({
      method: request.method,
      path,
      route: routeName,
      routeScope,
      globalScope,
      bucket: route.bucket,
      request,
    });
    if (intercepted) return intercepted;

    const decision = deps.limiter.consume({
      identity,
      route: routeName,
      resource,
      rule: route.bucket,
      global: countsGlobally,
    });
    if (!decision.allowed) {
      const retryAfterMs = Math.max(1, Math.round((decision.retryAfter ?? 0) * 1000));
      watch.limited({
        scopes: decision.global && globalScope ? [globalScope] : [routeScope],
        retryAfterMs,
      });
      world.log("info", "REST request rate limited", {
        route: route.path,
        retryAfter: decision.retryAfter,
        global: decision.global,
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
    let raw: Uint8Array | undefined;
    if (request.method !== "GET" && request.method !== "DELETE") {
      const parsed = await readBody(request);
      if (!parsed.ok) return withHeaders(DiscordErrors.invalidJson(), decision.headers);
      body = parsed.body;
      raw = parsed.raw;
    }
    const response = await route.handle({
      params: match.params,
      query: url.searchParams,
      body,
      raw,
      request,
    });
    world.log("debug", "REST", {
      method: request.method,
      route: route.path,
      status: response.status,
    });
    return withHeaders(response, decision.headers);
  };

  return async (request, url, ip) => {
    const banned = watch.ban(ip);
    if (banned) return banned;
    watch.inFlight(1);
    let response: Response;
    try {
      response = await answer(request, url, ip);
    } finally {
      watch.inFlight(-1);
    }
    watch.answered(ip, response.status, response.headers.get("x-ratelimit-scope"));
    // Discord's API answers through Google's load balancer; its edge's own answers do not.
    if (!response.headers.has("server")) response.headers.set("via", "1.1 google");
    return response;
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
