/**
 * The Prometheus metrics registry: process metrics from prom-client plus Blitz's own.
 * Each service records into the metrics it owns here; `/metrics` renders the registry.
 */
import client from "prom-client";

/** Blitz's metrics, in one registry per process (tests create their own). */
export interface BlitzMetrics {
  readonly registry: client.Registry;
  readonly commandsTotal: client.Counter<"command" | "outcome">;
  readonly commandDuration: client.Histogram<"command">;
  readonly gatewayConnected: client.Gauge;
  /** Renders the Prometheus text format. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Seconds since start, read on every scrape. */
  uptimeSeconds: () => number;
  /** Include prom-client's process metrics (default true). */
  processMetrics?: boolean;
}

/** Creates the registry and Blitz's metrics. */
export function createMetrics(options: MetricsOptions): BlitzMetrics {
  const registry = new client.Registry();
  if (options.processMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  const commandsTotal = new client.Counter({
    name: "blitz_commands_total",
    help: "Slash commands and component interactions handled, by command and outcome.",
    labelNames: ["command", "outcome"] as const,
    registers: [registry],
  });
  const commandDuration = new client.Histogram({
    name: "blitz_command_duration_seconds",
    help: "Time from receiving an interaction to sending its answer, in seconds.",
    labelNames: ["command"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 3],
    registers: [registry],
  });
  const gatewayConnected = new client.Gauge({
    name: "blitz_gateway_connected",
    help: "1 when the Discord gateway is connected and heartbeats are acknowledged, else 0.",
    registers: [registry],
  });
  new client.Gauge({
    name: "blitz_uptime_seconds",
    help: "Seconds since this Blitz process started.",
    registers: [registry],
    collect() {
      this.set(options.uptimeSeconds());
    },
  });
  return {
    registry,
    commandsTotal,
    commandDuration,
    gatewayConnected,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
