/** Shared pieces of the benchmarks: figures, percentiles, process memory, temp dirs. */

/** One measured figure. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target it is compared with, e.g. "< 4096". */
  target?: string;
  /** Did it meet the target (undefined: nothing to compare). */
  ok?: boolean;
  note?: string;
}

/** A benchmark: a name and a function that returns its figures. */
export interface Bench {
  name: string;
  description: string;
  run(): Promise<Figure[]>;
}

/** The p-th percentile (0..100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A TCP port free on loopback right now (the OS picks it; the listener is closed at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/**
 * A process's anonymous resident memory (Linux `RssAnon`, bytes): its heaps and stacks, what
 * the program itself allocated. The rest of RSS is file pages: under `deno run` about 50 MiB of
 * them are the `deno` executable's own code (the whole toolchain, not only the runtime).
 */
export function anonRssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
}

/**
 * How a process's resident memory splits (Linux `smaps_rollup`, bytes): `private` is what only
 * it holds (USS), `fileShared` the executable and library pages other processes map too.
 */
export function memorySplitOf(pid: number): { private: number; fileShared: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return {
    private: (kb("Private_Clean") + kb("Private_Dirty")) * 1024,
    fileShared: kb("Shared_Clean") * 1024,
  };
}

/** CPU seconds (user + system) used by a process so far (Linux /proc). */
export function cpuSecondsOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * The whole machine's CPU so far (Linux /proc/stat, all cores): `busy` seconds (user, nice,
 * system, irq, softirq; guest time is inside user) and `steal` seconds (time the hypervisor gave
 * a vCPU that wanted to run to something else).
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(
    Number,
  );
  return {
    busy: (user! + nice! + system! + irq! + softirq!) / 100,
    steal: (steal ?? 0) / 100,
  };
}

/** CPU seconds of a process, or NaN once it is gone. */
export function cpuSecondsOrNaN(pid: number): number {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return NaN;
  }
}

/** A temporary directory removed by the returned cleanup. */
export async function benchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "blitz-bench-" });
  return { dir, cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}) };
}

/** Rounds for printing. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
