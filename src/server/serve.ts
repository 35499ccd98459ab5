/** Runs the Hono app on `Deno.serve`, turning "port in use" into a clear configuration error. */
import type { Hono } from "hono";

/** The configured port is taken. Exit code 78 (configuration). */
export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly variable: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot listen on ${hostname}:${port}: the port is already in use ` +
        `(stop what uses it, or set ${variable} to a free port)`,
      options,
    );
  }
}

/** A running HTTP server. */
export interface HttpServer {
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting connections and waits for open requests to finish. */
  shutdown(): Promise<void>;
}

/** Starts serving `app` on `hostname:port` (port 0: any free port). */
export function serveHttp(
  app: Hono,
  options: { hostname: string; port: number; variable?: string },
): HttpServer {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
    }, app.fetch);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new PortInUseError(
        options.hostname,
        options.port,
        options.variable ?? "BLITZ_HTTP_PORT",
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    port: server.addr.port,
    hostname: server.addr.hostname,
    shutdown: () => stopped ??= server.shutdown(),
  };
}
