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
  readonly gamesCompleted: client.Counter<"mode" | "status">;
  readonly gameActions: client.Counter<"kind">;
  readonly rateLimited: client.Counter;
  /** Tells the `blitz_games_active` gauge where to read the number of open games. */
  observeActiveGames(count: () => number): void;
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
  if (options.processMetrics ?? true) {
    client.collectDefaultMetrics({ register: registry });
    // These three are gauges named like counters, which `promtool check metrics` rejects.
    for (
      const name of [
        "nodejs_active_handles_total",
        "nodejs_active_requests_total",
        "nodejs_active_resources_total",
      ]
    ) {
      registry.removeSingleMetric(name);
    }
  }
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
  let activeGames = () => 0;
  new client.Gauge({
    name: "blitz_games_active",
    help: "Games open right now (active, or challenges waiting for an answer).",
    registers: [registry],
    collect() {
      this.set(activeGames());
    },
  });
  const gamesCompleted = new client.Counter({
    name: "blitz_games_completed_total",
    help: "Games that ended, by mode (solo, challenge) and how they ended.",
    labelNames: ["mode", "status"] as const,
    registers: [registry],
  });
  const gameActions = new client.Counter({
    name: "blitz_game_actions_total",
    help: "Game actions accepted, by kind (pick, start_solo, challenge, accept, shot_clock, ...).",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const rateLimited = new client.Counter({
    name: "blitz_rate_limited_total",
    help: "Commands and clicks refused by the per-user rate limit.",
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
    gamesCompleted,
    gameActions,
    rateLimited,
    observeActiveGames: (count) => {
      activeGames = count;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
