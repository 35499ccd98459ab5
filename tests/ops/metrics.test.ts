import { afterEach, describe, expect, it } from "vitest";
import perfHooks from "node:perf_hooks";
import { createMetrics } from "../../src/ops/metrics.ts";

const originalMonitor = perfHooks.monitorEventLoopDelay;

afterEach(() => {
  perfHooks.monitorEventLoopDelay = originalMonitor;
});

/** The metric names a rendered registry declares (`# TYPE name kind`). */
function declaredNames(text: string): string[] {
  return text.split("\n").filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]!);
}

describe("process metrics", () => {
  it("registers prom-client's process and heap metrics", async () => {
    const names = declaredNames(await createMetrics({ uptimeSeconds: () => 1 }).render());
    for (
      const name of [
        "process_cpu_user_seconds_total",
        "process_cpu_seconds_total",
        "process_start_time_seconds",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "nodejs_active_handles",
        "nodejs_active_requests",
        "nodejs_heap_size_total_bytes",
        "nodejs_heap_size_used_bytes",
        "nodejs_external_memory_bytes",
        "nodejs_heap_space_size_used_bytes",
        "nodejs_version_info",
        "blitz_uptime_seconds",
      ]
    ) {
      expect(names).toContain(name);
    }
    // Blitz's own loop-delay gauges stand in for prom-client's (see the next test).
    expect(names.filter((n) => n.startsWith("nodejs_eventloop_lag"))).toEqual([]);
  });

  it("starts no event-loop delay histogram, whose native table only grows (D35)", () => {
    let started = 0;
    perfHooks.monitorEventLoopDelay = ((options?: { resolution?: number }) => {
      started++;
      return originalMonitor(options);
    }) as typeof perfHooks.monitorEventLoopDelay;
    createMetrics({ uptimeSeconds: () => 1 });
    expect(started).toBe(0);
  });
});
