/**
 * Readiness as monitors see it. The monitor samples the store on a timer and reads the
 * gateway's in-memory state, so `/health` answers instantly from what it already knows. A store
 * that answers but cannot write (a full disk) fails the database check too: the bot then answers
 * every click with an apology, which is down for players, and an uptime monitor should say so.
 */
import type { Clock } from "../clock.ts";
import { isDiskFullMessage } from "../store/errors.ts";

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
  /**
   * Writes something small to the store, and throws when it cannot. Tried on the sampling timer,
   * and only while a write failure is on record (`noteWriteFailure`): a healthy bot writes nothing
   * for its health.
   */
  probeWrite?: () => void;
  /** How long after the last failed write the database check passes again (default 10 s). */
  writeRecoveryMs?: number;
}

/**
 * Why a store error means writes fail, in a short phrase for `/health`; undefined when it does not
 * (a constraint, a busy database). The phrases never contain "ok" or "online".
 */
export function writeFailureReason(message: string): string | undefined {
  if (isDiskFullMessage(message)) return "disk full";
  if (/disk I\/O error|SQLITE_IOERR/i.test(message)) return "disk I/O error";
  if (/readonly database|SQLITE_READONLY/i.test(message)) return "read-only database";
  return undefined;
}

/** The health monitor. */
export interface HealthMonitor {
  report(): HealthReport;
  /** Samples the store now. */
  sample(): void;
  /**
   * A write to the store failed for `reason` ({@link writeFailureReason}): the database check fails
   * until a probe write works and no write has failed for `writeRecoveryMs`.
   */
  noteWriteFailure(reason: string): void;
  stop(): void;
}

/** Creates the monitor and starts its sampling timer. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  let storeAnswers = false;
  let writeFailure: { reason: string; at: number } | undefined;
  const recoveryMs = options.writeRecoveryMs ?? 10_000;
  const sample = () => {
    try {
      storeAnswers = options.pingStore();
    } catch {
      storeAnswers = false;
    }
    const failure = writeFailure;
    if (!failure) return;
    try {
      options.probeWrite?.();
      if (options.clock.now() - failure.at >= recoveryMs) writeFailure = undefined;
    } catch {
      failure.at = options.clock.now();
    }
  };
  sample();
  const timer = setInterval(sample, options.sampleIntervalMs ?? 2000);
  Deno.unrefTimer(timer);
  return {
    sample,
    stop: () => clearInterval(timer),
    noteWriteFailure(reason) {
      writeFailure = { reason, at: options.clock.now() };
    },
    report() {
      const connected = options.gateway.connected();
      const acked = connected && options.gateway.heartbeatAcknowledged();
      const writes = writeFailure === undefined;
      const checks = {
        database: storeAnswers && writes ? "pass" : "fail",
        gateway: connected ? "pass" : "fail",
        heartbeat: acked ? "pass" : "fail",
      } as const;
      const failing: string[] = [];
      if (!storeAnswers) failing.push("database does not answer");
      else if (!writes) failing.push(`database cannot write (${writeFailure!.reason})`);
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
