/**
 * Discord's JSON error responses: `{message, code}` and, for invalid form bodies (50035),
 * a nested `errors` tree whose leaves are `{_errors: [{code, message}]}`.
 *
 * @module
 */

/** The nested error tree of an "Invalid Form Body" answer. */
export interface FormErrorTree {
  [key: string]: FormErrorTree | { code: string; message: string }[] | undefined;
  _errors?: { code: string; message: string }[];
}

/** Collects field errors by path, e.g. `["components", 0, "components", 1, "custom_id"]`. */
export interface FormErrors {
  add(path: (string | number)[], code: string, message: string): void;
  readonly empty: boolean;
  readonly tree: FormErrorTree;
}

/** Creates an empty error collector. */
export function createFormErrors(): FormErrors {
  const tree: FormErrorTree = {};
  let count = 0;
  return {
    add(path, code, message) {
      let node = tree;
      for (const key of path) {
        const k = String(key);
        node[k] ??= {};
        node = node[k] as FormErrorTree;
      }
      (node._errors ??= []).push({ code, message });
      count++;
    },
    get empty() {
      return count === 0;
    },
    get tree() {
      return tree;
    },
  };
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A Discord error response `{message, code}` (plus `errors` when given). */
export function discordError(
  status: number,
  code: number,
  message: string,
  errors?: FormErrorTree,
): Response {
  return json(status, errors ? { message, code, errors } : { message, code });
}

/** The errors the sandbox answers with, as Discord words them. */
export const DiscordErrors = {
  unauthorized: () => discordError(401, 0, "401: Unauthorized"),
  notFound: () => discordError(404, 0, "404: Not Found"),
  methodNotAllowed: () => discordError(405, 0, "405: Method Not Allowed"),
  internal: () => discordError(500, 0, "500: Internal Server Error"),
  invalidApiVersion: () => discordError(400, 50041, "Invalid API version provided"),
  unknownChannel: () => discordError(404, 10003, "Unknown Channel"),
  unknownGuild: () => discordError(404, 10004, "Unknown Guild"),
  unknownMessage: () => discordError(404, 10008, "Unknown Message"),
  unknownUser: () => discordError(404, 10013, "Unknown User"),
  unknownMember: () => discordError(404, 10007, "Unknown Member"),
  unknownApplication: () => discordError(404, 10002, "Unknown Application"),
  unknownWebhook: () => discordError(404, 10015, "Unknown Webhook"),
  unknownInteraction: () => discordError(404, 10062, "Unknown interaction"),
  invalidWebhookToken: () => discordError(401, 50027, "Invalid Webhook Token"),
  alreadyAcknowledged: () => discordError(400, 40060, "Interaction has already been acknowledged."),
  cannotEditOthers: () =>
    discordError(403, 50005, "Cannot edit a message authored by another user"),
  emptyMessage: () => discordError(400, 50006, "Cannot send an empty message"),
  invalidJson: () => discordError(400, 50109, "The request body contains invalid JSON."),
  invalidFormBody: (errors: FormErrorTree) => discordError(400, 50035, "Invalid Form Body", errors),
} as const;

/** The error tree Discord gives when a body is JSON but not an object. */
export function notAnObjectErrors(): FormErrorTree {
  const errors = createFormErrors();
  errors.add([], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
  return errors.tree;
}
