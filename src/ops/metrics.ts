/**
 * The Prometheus metrics registry: process metrics from prom-client plus Blitz's own.
 * Each service records into the metrics it owns here; `/metrics` renders the registry.
 */
import client from "prom-client";
// prom-client's default metrics, one by one: all but `eventLoopLag` (see `PROCESS_METRICS`).
import processCpuTotal from "prom-client/lib/metrics/processCpuTotal.js";
import processStartTime from "prom-client/lib/metrics/processStartTime.js";
import osMemoryHeap from "prom-client/lib/metrics/osMemoryHeap.js";
import processOpenFileDescriptors from "prom-client/lib/metrics/processOpenFileDescriptors.js";
import processMaxFileDescriptors from "prom-client/lib/metrics/processMaxFileDescriptors.js";
import processHandles from "prom-client/lib/metrics/processHandles.js";
import processRequests from "prom-client/lib/metrics/processRequests.js";
import processResources from "prom-client/lib/metrics/processResources.js";
import heapSizeAndUsed from "prom-client/lib/metrics/heapSizeAndUsed.js";
import heapSpacesSizeAndUsed from "prom-client/lib/metrics/heapSpacesSizeAndUsed.js";
import version from "prom-client/lib/metrics/version.js";
import gc from "prom-client/lib/metrics/gc.js";

/** One of prom-client's default metric modules: registers its metrics in `registry`. */
type DefaultMetric = (registry: client.Registry, config: Record<string, unknown>) => void;

/**
 * The process metrics: what `client.collectDefaultMetrics` registers, less its event-loop lag.
 * That one keeps a `monitorEventLoopDelay` histogram, whose native table in Deno 2.9 grows as the
 * bot runs and never shrinks: 8–9 MiB of RSS after 5,000 games were opened (docs/DECISIONS.md
 * D35). Blitz measures the delay itself (`blitz_event_loop_delay_*`).
 */
const PROCESS_METRICS: readonly DefaultMetric[] = [
  processCpuTotal,
  processStartTime,
  osMemoryHeap,
  processOpenFileDescriptors,
  processMaxFileDescriptors,
  processResources,
  processHandles,
  processRequests,
  heapSizeAndUsed,
  heapSpacesSizeAndUsed,
  version,
  gc,
];

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
  /**
   * Tells the `blitz_discord_requests_in_flight` and `…_waiting` gauges where to read the REST
   * requests sent and not answered yet, and those held back by DISCORD_REST_MAX_IN_FLIGHT.
   */
  observeDiscordRequests(read: () => { inFlight: number; waiting: number }): void;
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
    for (const register of PROCESS_METRICS) register(registry, {});
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
  let discordRequests = () => ({ inFlight: 0, waiting: 0 });
  new client.Gauge({
    name: "blitz_discord_requests_in_flight",
    help: "Discord REST requests sent and not answered yet.",
    registers: [registry],
    collect() {
      this.set(discordRequests().inFlight);
    },
  });
  new client.Gauge({
    name: "blitz_discord_requests_waiting",
    help:
      "Discord REST requests waiting to be sent because DISCORD_REST_MAX_IN_FLIGHT are in flight.",
    registers: [registry],
    collect() {
      this.set(discordRequests().waiting);
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
    observeDiscordRequests: (read) => {
      discordRequests = read;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
