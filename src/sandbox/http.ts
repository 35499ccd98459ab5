/**
 * Small HTTP helpers shared by the REST and control APIs: path templates with `{param}`
 * segments, and request bodies read the way Discord reads them (JSON, or multipart with a
 * `payload_json` part and files).
 *
 * @module
 */

/** A matched route: which entry and the values of its `{param}` segments. */
export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

/** A template's segments: a literal, or the name of a `{param}`. */
type TemplatePart = { literal: string } | { param: string };
const templates = new Map<string, TemplatePart[]>();

/** `template` split once and remembered (the templates are a fixed list). */
function partsOf(template: string): TemplatePart[] {
  let parts = templates.get(template);
  if (!parts) {
    parts = template.split("/").filter(Boolean).map((part) =>
      part.startsWith("{") && part.endsWith("}") ? { param: part.slice(1, -1) } : { literal: part }
    );
    templates.set(template, parts);
  }
  return parts;
}

/** Matches `path` against templates like "/channels/{channel.id}/messages". */
export function matchRoute<R extends { method: string; path: string }>(
  routes: readonly R[],
  method: string,
  path: string,
): { match?: RouteMatch<R>; pathExists: boolean } {
  const segments = path.split("/").filter(Boolean);
  let pathExists = false;
  for (const route of routes) {
    const parts = partsOf(route.path);
    if (parts.length !== segments.length) continue;
    // Literals first: most templates differ from the path in one, with nothing decoded yet.
    if (!parts.every((part, i) => "param" in part || part.literal === segments[i])) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      if (!("param" in part)) return true;
      const segment = segments[i] ?? "";
      params[part.param] = decodeURIComponent(segment);
      return segment.length > 0;
    });
    if (!ok) continue;
    pathExists = true;
    if (route.method === method) return { match: { route, params }, pathExists };
  }
  return { pathExists };
}

/**
 * A parsed body, or the reason it could not be parsed. A JSON body also comes as it was sent
 * (`raw`, UTF-8), for what is kept long and read rarely (see `InteractionState.callbackJson`).
 */
export type BodyResult = { ok: true; body: unknown; raw?: Uint8Array } | { ok: false };

const utf8 = new TextDecoder();

/**
 * Reads a request body: undefined when empty; JSON; or `multipart/form-data` whose
 * `payload_json` is the JSON and whose files become attachment stubs.
 */
export async function readBody(request: Request): Promise<BodyResult> {
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    try {
      const form = await request.formData();
      const payload = form.get("payload_json");
      const body = typeof payload === "string" ? JSON.parse(payload) : {};
      const attachments: Record<string, unknown>[] = [];
      for (const [key, value] of form.entries()) {
        if (!key.startsWith("files[") || typeof value === "string") continue;
        const id = key.slice(6, -1);
        attachments.push({
          id,
          filename: value.name,
          size: value.size,
          content_type: value.type || "application/octet-stream",
          url: `attachment://${value.name}`,
          proxy_url: `attachment://${value.name}`,
        });
      }
      if (attachments.length && typeof body === "object" && body !== null) {
        (body as Record<string, unknown>).attachments = attachments;
      }
      return { ok: true, body };
    } catch {
      return { ok: false };
    }
  }
  const raw = await request.bytes();
  const text = utf8.decode(raw);
  if (text.trim() === "") return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text), raw };
  } catch {
    return { ok: false };
  }
}

/** True for loopback addresses (the control API answers only these). */
export function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address === "::ffff:127.0.0.1" ||
    address === "localhost";
}
