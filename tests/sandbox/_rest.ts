/** A tiny REST caller for sandbox tests: `api(sandbox, "POST", "/channels/1/messages", body)`. */
import type { Sandbox } from "../../src/sandbox/mod.ts";

/** A response with its parsed JSON body. */
// deno-lint-ignore no-explicit-any
export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls `/api/v10${path}` with the bot token (unless `token` is null). */
export async function api(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = sandbox.token,
): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bot ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${sandbox.restUrl}/v10${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** A button action row. */
export function buttonRow(...customIds: string[]): Record<string, unknown> {
  return {
    type: 1,
    components: customIds.map((id) => ({ type: 2, style: 1, label: id, custom_id: id })),
  };
}
