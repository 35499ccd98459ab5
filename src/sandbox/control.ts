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
 * - `GET /_sandbox/state` — sessions, users, guilds, channels.
 *
 * @module
 */
import type { CommandRegistry } from "./commands.ts";
import { json } from "./errors.ts";
import type { GatewaySessions } from "./gateway_sessions.ts";
import { matchRoute } from "./http.ts";
import type { Interactions } from "./interactions.ts";
import { InteractionInputError } from "./interaction_payload.ts";
import type { MessageStore } from "./messages.ts";
import { channelObject, guildObject, type World } from "./state.ts";
import type { SandboxStateSnapshot } from "./types.ts";

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
}): (request: Request, url: URL) => Promise<Response> {
  const { world, messages, interactions } = deps;

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
          sessions: deps.sessions.list(),
          users: world.users(),
          guilds: world.guilds().map(guildObject),
          channels: world.channels().map(channelObject),
        };
        return json(200, snapshot);
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
