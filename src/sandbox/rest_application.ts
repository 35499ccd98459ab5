/**
 * REST routes about the application itself: gateway discovery, the bot user, the
 * application, its commands, and the interaction callback and webhook routes.
 *
 * @module
 */
import { DiscordErrors, json } from "./errors.ts";
import { DEFAULT_BUCKET, notYourApplication, type RestDeps, type RestRoute } from "./rest.ts";

/** Discord's daily IDENTIFY allowance for a small bot. */
const SESSION_START_TOTAL = 1000;

/** The routes. */
export function applicationRoutes(deps: RestDeps): RestRoute[] {
  const { world, commands, responses } = deps;
  const me = () => ({
    ...world.botUser,
    verified: true,
    mfa_enabled: false,
    flags: 0,
    email: null,
    locale: "en-US",
    banner: null,
    accent_color: null,
  });
  const application = () => ({
    id: world.applicationId,
    name: world.botUser.username,
    icon: null,
    description: "",
    summary: "",
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags: 0,
    team: null,
    owner: world.user(world.seed.guild.ownerId),
    bot: world.botUser,
    approximate_guild_count: world.guilds().length,
    tags: [],
    redirect_uris: [],
    interactions_endpoint_url: null,
    install_params: { scopes: ["bot", "applications.commands"], permissions: "0" },
    integration_types_config: { "0": {} },
  });
  const ownApp = (params: Record<string, string>) =>
    params["application.id"] === world.applicationId;
  const guildCommands = (method: "GET" | "PUT"): RestRoute => ({
    method,
    path: "/applications/{application.id}/guilds/{guild.id}/commands",
    auth: "bot",
    bucket: method === "PUT" ? { limit: 5, windowMs: 20_000 } : DEFAULT_BUCKET,
    resource: ["guild.id"],
    handle({ params, body }) {
      if (!ownApp(params)) return notYourApplication();
      const guildId = params["guild.id"] ?? "";
      if (!world.guild(guildId)) return DiscordErrors.unknownGuild();
      if (method === "GET") return json(200, commands.list(guildId));
      const result = commands.overwrite(guildId, body);
      if ("errors" in result) return DiscordErrors.invalidFormBody(result.errors);
      world.log("info", "Guild commands overwritten", { guildId, count: result.commands.length });
      return json(200, result.commands);
    },
  });

  return [
    {
      method: "GET",
      path: "/gateway",
      auth: "none",
      bucket: DEFAULT_BUCKET,
      handle: () => json(200, { url: deps.gateway().url }),
    },
    {
      method: "GET",
      path: "/gateway/bot",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      handle() {
        const { url, identifies } = deps.gateway();
        return json(200, {
          url,
          shards: 1,
          session_start_limit: {
            total: SESSION_START_TOTAL,
            remaining: Math.max(0, SESSION_START_TOTAL - identifies),
            reset_after: 14_400_000,
            max_concurrency: 1,
          },
        });
      },
    },
    {
      method: "GET",
      path: "/users/@me",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      handle: () => json(200, me()),
    },
    {
      method: "GET",
      path: "/users/{user.id}",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      handle({ params }) {
        const user = world.user(params["user.id"] ?? "");
        return user ? json(200, user) : DiscordErrors.unknownUser();
      },
    },
    {
      method: "GET",
      path: "/applications/@me",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      handle: () => json(200, application()),
    },
    {
      method: "GET",
      path: "/applications/{application.id}/commands",
      auth: "bot",
      bucket: DEFAULT_BUCKET,
      handle: ({ params }) => ownApp(params) ? json(200, commands.list()) : notYourApplication(),
    },
    {
      method: "PUT",
      path: "/applications/{application.id}/commands",
      auth: "bot",
      bucket: { limit: 5, windowMs: 20_000 },
      handle({ params, body }) {
        if (!ownApp(params)) return notYourApplication();
        const result = commands.overwrite(undefined, body);
        if ("errors" in result) return DiscordErrors.invalidFormBody(result.errors);
        world.log("info", "Global commands overwritten", { count: result.commands.length });
        return json(200, result.commands);
      },
    },
    guildCommands("GET"),
    guildCommands("PUT"),
    {
      method: "POST",
      path: "/interactions/{interaction.id}/{interaction.token}/callback",
      auth: "none",
      bucket: { limit: 5, windowMs: 1000 },
      resource: ["interaction.id"],
      global: false,
      handle: ({ params, body, raw, query }) =>
        responses.callback(
          params["interaction.id"] ?? "",
          params["interaction.token"] ?? "",
          body,
          ["true", "True", "1"].includes(query.get("with_response") ?? ""),
          raw,
        ),
    },
    ...webhookRoutes(deps),
  ];
}

function webhookRoutes(deps: RestDeps): RestRoute[] {
  const bucket = { limit: 5, windowMs: 2000 };
  const resource = ["webhook.id", "webhook.token"];
  const base = "/webhooks/{webhook.id}/{webhook.token}";
  const route = (method: string, path: string, withMessage: boolean): RestRoute => ({
    method,
    path,
    auth: "none",
    bucket,
    resource,
    global: false,
    handle: ({ params, body }) =>
      deps.responses.webhook(
        method,
        params["webhook.id"] ?? "",
        params["webhook.token"] ?? "",
        withMessage ? params["message.id"] ?? "" : null,
        body,
      ),
  });
  return [
    route("POST", base, false),
    ...["GET", "PATCH", "DELETE"].map((m) => route(m, `${base}/messages/{message.id}`, true)),
  ];
}
