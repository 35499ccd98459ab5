/**
 * Readiness as monitors see it. The monitor samples the store on a timer and reads the
 * gateway's in-memory state, so `/health` answers instantly from what it already knows.
 */
import type { Clock } from "../clock.ts";

/** What the health monitor asks of the Discord connection. */
export interface GatewayStatus {
  /** The socket is open and identified (READY or RESUMED received). */
  connected(): boolean;
  /** The last heartbeat was acknowledged. */
  heartbeatAcknowledged(): boolean;
  /** Round trip of the last heartbeat, in ms. */
  latencyMs(): number | undefined;
}

/** One check's verdict. Words chosen so a failing body never contains "ok" or "online". */
export type CheckResult = "pass" | "fail";

/** What `/health` reports. */
export interface HealthReport {
  status: "ok" | "unavailable";
  /** "online" only when everything passes, so a failing body never says "online". */
  discord: "online" | "connected" | "offline";
  uptimeSeconds: number;
  checks: { database: CheckResult; gateway: CheckResult; heartbeat: CheckResult };
  /** Why checks fail, one short phrase each. */
  failing: string[];
  gatewayLatencyMs?: number;
}

/** Options for {@link createHealthMonitor}. */
export interface HealthMonitorOptions {
  clock: Clock;
  startedAt: number;
  /** Does the store answer? Called on the sampling timer, never per request. */
  pingStore: () => boolean;
  gateway: GatewayStatus;
  /** How often the store is sampled, in ms (default 2000). */
  sampleIntervalMs?: number;
}

/** The health monitor. */
export interface HealthMonitor {
  report(): HealthReport;
  /** Samples the store now. */
  sample(): void;
  stop(): void;
}

/** Creates the monitor and starts its sampling timer. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  let storeAnswers = false;
  const sample = () => {
    try {
      storeAnswers = options.pingStore();
    } catch {
      storeAnswers = false;
    }
  };
  sample();
  const timer = setInterval(sample, options.sampleIntervalMs ?? 2000);
  Deno.unrefTimer(timer);
  return {
    sample,
    stop: () => clearInterval(timer),
    report() {
      const connected = options.gateway.connected();
      const acked = connected && options.gateway.heartbeatAcknowledged();
      const checks = {
        database: storeAnswers ? "pass" : "fail",
        gateway: connected ? "pass" : "fail",
        heartbeat: acked ? "pass" : "fail",
      } as const;
      const failing: string[] = [];
      if (!storeAnswers) failing.push("database does not answer");
      if (!connected) failing.push("gateway disconnected");
      else if (!acked) failing.push("heartbeat not acknowledged");
      const healthy = failing.length === 0;
      return {
        status: healthy ? "ok" : "unavailable",
        discord: !(connected && acked) ? "offline" : healthy ? "online" : "connected",
        uptimeSeconds: Math.floor((options.clock.now() - options.startedAt) / 1000),
        checks,
        failing,
        gatewayLatencyMs: options.gateway.latencyMs(),
      };
    },
  };
}
