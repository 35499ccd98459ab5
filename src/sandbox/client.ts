/**
 * The typed driver of a sandbox over its HTTP control API. The in-process `sandbox.client`
 * is this same client pointed at the sandbox's own URL, so tests of an embedded sandbox and
 * of a `blitz run` subprocess drive it the same way.
 *
 * @module
 */
import type {
  ClickInput,
  CommandInput,
  FaultInput,
  FaultRecord,
  InteractionHandle,
  InteractionRecord,
  PlayerStats,
  SandboxClient,
  SandboxMessage,
  SandboxSettings,
  SandboxStateSnapshot,
} from "./types.ts";

/** A control API call that failed: `status` is the HTTP status (409 = no bot session). */
export class SandboxClientError extends Error {
  constructor(readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SandboxClientError";
  }
}

/** The longest single long-poll the client asks for; longer waits loop. */
const POLL_SLICE_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/** Creates a client for the sandbox at `url` (e.g. "http://127.0.0.1:8123"). */
export function createSandboxClient(url: string): SandboxClient {
  const base = url.replace(/\/+$/, "");

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new SandboxClientError(0, `Cannot reach the sandbox at "${base}": ${error}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text;
      throw new SandboxClientError(
        response.status,
        `Sandbox ${method} ${path} answered ${response.status}: ${message}`,
      );
    }
    return parsed as T;
  };

  const fault = (input: FaultInput) => call<FaultRecord>("POST", "/_sandbox/faults", input);
  const faults = () =>
    call<{ active: FaultRecord[]; history: FaultRecord[] }>("GET", "/_sandbox/faults");

  const interaction = (id: string, waitMs = 0) =>
    call<InteractionRecord>(
      "GET",
      `/_sandbox/interactions/${encodeURIComponent(id)}?wait=${Math.max(0, Math.floor(waitMs))}`,
    );

  return {
    command: (input: CommandInput) =>
      call<InteractionHandle>("POST", "/_sandbox/interactions", { type: "command", ...input }),
    click: (input: ClickInput) =>
      call<InteractionHandle>("POST", "/_sandbox/interactions", { type: "component", ...input }),
    interaction,
    async waitForResponse(id, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const remaining = deadline - Date.now();
        const record = await interaction(id, Math.min(POLL_SLICE_MS, Math.max(0, remaining)));
        if (record.status !== "pending") return record;
        if (Date.now() >= deadline) {
          throw new SandboxClientError(
            408,
            `Interaction "${id}" got no response within ${timeoutMs} ms (still pending)`,
          );
        }
      }
    },
    messages: (channelId) =>
      call<SandboxMessage[]>("GET", `/_sandbox/channels/${encodeURIComponent(channelId)}/messages`),
    async waitForMessage(channelId, predicate, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let since = 0;
      while (true) {
        const remaining = Math.max(0, deadline - Date.now());
        const page = await call<{ revision: number; messages: SandboxMessage[] }>(
          "GET",
          `/_sandbox/messages/wait?channel=${encodeURIComponent(channelId)}&since=${since}&wait=${
            Math.min(POLL_SLICE_MS, remaining)
          }`,
        );
        const found = page.messages.find(predicate);
        if (found) return found;
        since = page.revision;
        if (Date.now() >= deadline) {
          throw new SandboxClientError(
            408,
            `No message in channel "${channelId}" matched within ${timeoutMs} ms`,
          );
        }
      }
    },
    commands: (guildId) =>
      call<unknown[]>(
        "GET",
        `/_sandbox/commands${guildId ? `?guild=${encodeURIComponent(guildId)}` : ""}`,
      ),
    state: () => call<SandboxStateSnapshot>("GET", "/_sandbox/state"),
    interactions: (limit = 50) =>
      call<InteractionRecord[]>("GET", `/_sandbox/interactions?limit=${Math.floor(limit)}`),

    fault,
    faults,
    async faultRecord(id) {
      return (await faults()).history.find((f) => f.id === id);
    },
    endFault: (id) => call<FaultRecord>("DELETE", `/_sandbox/faults/${encodeURIComponent(id)}`),
    async clearFaults() {
      await call("DELETE", "/_sandbox/faults");
    },
    dropGateway: (options = {}) => fault({ kind: "gateway_drop", ...options }),
    zombieGateway: (options = {}) => fault({ kind: "zombie", ...options }),
    sendReconnect: (options = {}) => fault({ kind: "reconnect", ...options }),
    sendInvalidSession: (resumable, options = {}) =>
      fault({ kind: "invalid_session", resumable, ...options }),
    revokeToken: (durationMs = 10_000) => fault({ kind: "token_revoked", durationMs }),
    rateLimit: (options) => fault({ kind: "rate_limit", ...options }),
    serverErrors: (options) => fault({ kind: "server_error", ...options }),
    latency: (options) => fault({ kind: "latency", ...options }),
    stall: (options) => fault({ kind: "stall", ...options }),

    players: () => call<PlayerStats>("GET", "/_sandbox/players"),
    startPlayers: (count, options = {}) =>
      call<PlayerStats>("POST", "/_sandbox/players", { ...options, action: "start", count }),
    scalePlayers: (count) =>
      call<PlayerStats>("POST", "/_sandbox/players", { action: "scale", count }),
    stopPlayers: () => call<PlayerStats>("POST", "/_sandbox/players", { action: "stop" }),

    settings: () => call<SandboxSettings>("GET", "/_sandbox/settings"),
    updateSettings: (patch) => call<SandboxSettings>("PATCH", "/_sandbox/settings", patch),
  };
}
