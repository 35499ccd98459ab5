/**
 * The control API under `/_sandbox/` (JSON, no auth, loopback only): what tests and
 * simulated players use to act as users and to watch what the bot did. Long-polls wait on
 * the change feed; nothing here sleeps.
 *
 * Routes:
 * - `POST /_sandbox/interactions` — `{type: "command", userId, name, options?, subcommand?, guildId?, channelId?}`
 *   or `{type: "component", userId, messageId, customId, values?, channelId?}` → 201 handle;
 *   400 bad input; 409 no bot session.
 * - `GET /_sandbox/interactions/:id?wait=MS` — the record, once not pending or after MS.
 * - `GET /_sandbox/channels/:id/messages` — all messages, ephemeral ones included.
 * - `GET /_sandbox/messages/wait?channel=ID&since=REV&wait=MS` — `{revision, messages}`: the
 *   channel's messages created or edited after revision REV, waiting up to MS for one.
 * - `GET /_sandbox/commands[?guild=ID]` — registered commands (all, or one guild's).
 * - `GET /_sandbox/state` — sessions (with live sockets), users, guilds, channels, gateway
 *   and REST counters (429s, early retries, invalid requests), settings, players.
 * - `GET /_sandbox/interactions?limit=N` — the newest interactions, newest first.
 * - `POST /_sandbox/faults` — `{kind, ...params, durationMs?}` → 201 record; 400; 409 (no
 *   session to act on). `GET /_sandbox/faults` — `{active, history}` with what the client did.
 *   `DELETE /_sandbox/faults/:id` ends one early; `DELETE /_sandbox/faults` ends all.
 * - `GET /_sandbox/players` — stats; `POST /_sandbox/players` —
 *   `{action: "start", count, ...options}`, `{action: "scale", count}` or `{action: "stop"}`.
 * - `GET /_sandbox/settings`, `PATCH /_sandbox/settings` — global rate limit, privileged
 *   intents, invalid-request limit, token validity.
 * - `GET /_sandbox/view[?channel=ID&refresh=S]` — the web view (HTML).
 *
 * @module
 */
import type { CommandRegistry } from "./commands.ts";
import { json } from "./errors.ts";
import type { Faults } from "./faults.ts";
import type { Gateway } from "./gateway.ts";
import type { GatewaySessions } from "./gateway_sessions.ts";
import { matchRoute } from "./http.ts";
import type { Interactions } from "./interactions.ts";
import { InteractionInputError } from "./interaction_payload.ts";
import type { MessageStore } from "./messages.ts";
import { checkPlayerOptions, MAX_PLAYERS, type Players } from "./players.ts";
import type { RestWatch } from "./rest_watch.ts";
import { updateSettings } from "./settings.ts";
import { channelObject, guildObject, type World } from "./state.ts";
import type { SandboxStateSnapshot } from "./types.ts";
import { renderView } from "./view.ts";

/** The longest a long-poll may wait, in milliseconds. */
export const MAX_WAIT_MS = 60_000;

interface ControlRoute {
  method: string;
  path: string;
  handle(
    params: Record<string, string>,
    query: URLSearchParams,
    request: Request,
  ): Promise<Response> | Response;
}

const problem = (status: number, error: string, message: string) =>
  json(status, { error, message });

function waitParam(query: URLSearchParams, name = "wait"): number {
  const value = Number(query.get(name) ?? 0);
  return Number.isFinite(value) ? Math.min(MAX_WAIT_MS, Math.max(0, value)) : 0;
}

/** Creates the control API handler for paths under `/_sandbox/`. */
export function createControlApi(deps: {
  world: World;
  messages: MessageStore;
  commands: CommandRegistry;
  interactions: Interactions;
  sessions: GatewaySessions;
  gateway: Gateway;
  faults: Faults;
  players: Players;
  watch: RestWatch;
}): (request: Request, url: URL) => Promise<Response> {
  const { world, messages, interactions } = deps;

  const readJson = async (
    request: Request,
  ): Promise<{ ok: true; body: unknown } | { ok: false }> => {
    try {
      const text = await request.text();
      return { ok: true, body: text.trim() ? JSON.parse(text) : {} };
    } catch {
      return { ok: false };
    }
  };
  const badJson = () => problem(400, "bad_request", "The request body is not valid JSON");

  const sessionsWithSockets = () => {
    const sockets = deps.gateway.socketsBySession();
    return deps.sessions.list().map((s) => ({ ...s, sockets: sockets.get(s.id) ?? 0 }));
  };

  const routes: ControlRoute[] = [
    {
      method: "POST",
      path: "/_sandbox/interactions",
      async handle(_params, _query, request) {
        let body: Record<string, unknown>;
        try {
          body = await request.json();
        } catch {
          return problem(400, "bad_request", "The request body is not valid JSON");
        }
        if (typeof body !== "object" || body === null || typeof body.userId !== "string") {
          return problem(
            400,
            "bad_request",
            'Expected {type: "command" | "component", userId, ...}',
          );
        }
        // A username ("alice") is accepted wherever a user id is: handy from curl.
        const named = world.users().find((u) => u.username === body.userId);
        if (named) body.userId = named.id;
        try {
          if (body.type === "command" && typeof body.name === "string") {
            return json(
              201,
              interactions.command(body as unknown as Parameters<Interactions["command"]>[0]),
            );
          }
          if (
            body.type === "component" && typeof body.messageId === "string" &&
            typeof body.customId === "string"
          ) {
            return json(
              201,
              interactions.click(body as unknown as Parameters<Interactions["click"]>[0]),
            );
          }
          return problem(
            400,
            "bad_request",
            'Expected type "command" with name, or "component" with messageId and customId',
          );
        } catch (error) {
          if (error instanceof InteractionInputError) {
            return problem(
              error.status,
              error.status === 409 ? "no_session" : "bad_request",
              error.message,
            );
          }
          throw error;
        }
      },
    },
    {
      method: "GET",
      path: "/_sandbox/interactions/{id}",
      async handle(params, query) {
        const id = params.id ?? "";
        if (!interactions.get(id)) return problem(404, "not_found", `Unknown interaction "${id}"`);
        await world.feed.waitFor(
          () => (interactions.get(id)?.status !== "pending" ? true : undefined),
          waitParam(query),
        );
        return json(200, interactions.record(id));
      },
    },
    {
      method: "GET",
      path: "/_sandbox/channels/{id}/messages",
      handle(params) {
        const channelId = params.id ?? "";
        if (!world.channel(channelId)) {
          return problem(404, "not_found", `Unknown channel "${channelId}"`);
        }
        return json(200, messages.inChannel(channelId), {
          "x-sandbox-revision": String(messages.revision),
        });
      },
    },
    {
      method: "GET",
      path: "/_sandbox/messages/wait",
      async handle(_params, query) {
        const channelId = query.get("channel") ?? "";
        if (!world.channel(channelId)) {
          return problem(404, "not_found", `Unknown channel "${channelId}"`);
        }
        const since = Number(query.get("since") ?? 0) || 0;
        const result = await world.feed.waitFor(
          () => {
            const changed = messages.changedSince(channelId, since);
            return changed.messages.length ? changed : undefined;
          },
          waitParam(query),
        );
        return json(200, result ?? { revision: Math.max(since, messages.revision), messages: [] });
      },
    },
    {
      method: "GET",
      path: "/_sandbox/commands",
      handle(_params, query) {
        const guildId = query.get("guild");
        return json(200, guildId ? deps.commands.list(guildId) : deps.commands.all());
      },
    },
    {
      method: "GET",
      path: "/_sandbox/state",
      handle() {
        const snapshot: SandboxStateSnapshot = {
          sessions: sessionsWithSockets(),
          users: world.users(),
          guilds: world.guilds().map(guildObject),
          channels: world.channels().map(channelObject),
          gateway: deps.gateway.stats(),
          rest: deps.watch.state(),
          interactions: interactions.counts(),
          settings: { ...world.settings },
          players: deps.players.stats(),
        };
        return json(200, snapshot);
      },
    },
    {
      method: "GET",
      path: "/_sandbox/interactions",
      handle(_params, query) {
        const limit = Math.min(500, Math.max(1, Number(query.get("limit") ?? 50) || 50));
        return json(200, interactions.recent(limit));
      },
    },
    {
      method: "GET",
      path: "/_sandbox/faults",
      handle: () => json(200, deps.faults.list()),
    },
    {
      method: "POST",
      path: "/_sandbox/faults",
      async handle(_params, _query, request) {
        const body = await readJson(request);
        if (!body.ok) return badJson();
        const result = deps.faults.inject(body.body);
        if ("status" in result) {
          return problem(
            result.status,
            result.status === 409 ? "no_session" : "bad_request",
            result.message,
          );
        }
        return json(201, result);
      },
    },
    {
      method: "DELETE",
      path: "/_sandbox/faults",
      handle() {
        deps.faults.clear();
        return json(200, deps.faults.list());
      },
    },
    {
      method: "DELETE",
      path: "/_sandbox/faults/{id}",
      handle(params) {
        const record = deps.faults.end(params.id ?? "");
        return record
          ? json(200, record)
          : problem(404, "not_found", `Unknown fault "${params.id}"`);
      },
    },
    {
      method: "GET",
      path: "/_sandbox/players",
      handle: () => json(200, deps.players.stats()),
    },
    {
      method: "POST",
      path: "/_sandbox/players",
      async handle(_params, _query, request) {
        const parsed = await readJson(request);
        if (!parsed.ok) return badJson();
        const body = parsed.body as Record<string, unknown>;
        const count = body?.count;
        const validCount = typeof count === "number" && Number.isInteger(count) && count >= 0 &&
          count <= MAX_PLAYERS;
        if (body?.action === "stop") return json(200, deps.players.stop());
        if (body?.action !== "start" && body?.action !== "scale") {
          return problem(
            400,
            "bad_request",
            'Expected {action: "start" | "scale" | "stop", count?}',
          );
        }
        if (!validCount) {
          return problem(
            400,
            "bad_request",
            `"count" must be a whole number from 0 to ${MAX_PLAYERS}`,
          );
        }
        if (body.action === "scale") return json(200, deps.players.scale(count as number));
        const { action: _a, count: _c, ...raw } = body;
        const options = checkPlayerOptions(raw);
        if (typeof options === "string") return problem(400, "bad_request", options);
        return json(200, deps.players.start(count as number, options));
      },
    },
    {
      method: "GET",
      path: "/_sandbox/settings",
      handle: () => json(200, world.settings),
    },
    {
      method: "PATCH",
      path: "/_sandbox/settings",
      async handle(_params, _query, request) {
        const parsed = await readJson(request);
        if (!parsed.ok) return badJson();
        const problems = updateSettings(world.settings, parsed.body);
        if (problems.length) return problem(400, "bad_request", problems.join("; "));
        world.log("info", "Sandbox settings changed", { ...world.settings });
        return json(200, world.settings);
      },
    },
    {
      method: "GET",
      path: "/_sandbox/view",
      handle(_params, query) {
        const text = world.channels().filter((c) => c.type === 0);
        const wanted = query.get("channel");
        const byActivity = [...text].sort((a, b) =>
          Number(
            BigInt(messages.recent(b.id, 1)[0]?.id ?? "0") -
              BigInt(messages.recent(a.id, 1)[0]?.id ?? "0"),
          )
        );
        const channel = text.find((c) => c.id === wanted) ?? byActivity[0];
        const refresh = Math.min(60, Math.max(0, Number(query.get("refresh") ?? 2) || 0));
        const html = renderView({
          now: world.now(),
          guildName: world.guilds()[0]?.name ?? "Sandbox",
          channels: world.channels(),
          channel,
          messages: channel ? messages.recent(channel.id, 25) : [],
          user: (id) => world.user(id),
          interactions: interactions.recent(20),
          faults: deps.faults.list().history.slice(-10).reverse(),
          players: deps.players.stats(),
          sessions: deps.sessions.list(),
          rest: deps.watch.state(),
          refresh: query.get("refresh") === null ? 2 : refresh,
        });
        return new Response(html, {
          status: 200,
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
          },
        });
      },
    },
  ];

  return async (request, url) => {
    const { match, pathExists } = matchRoute(routes, request.method, url.pathname);
    if (!match) {
      return pathExists
        ? problem(405, "method_not_allowed", `${request.method} is not allowed on ${url.pathname}`)
        : problem(404, "not_found", `No control route ${url.pathname}`);
    }
    return await match.route.handle(match.params, url.searchParams, request);
  };
}
