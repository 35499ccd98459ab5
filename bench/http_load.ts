/**
 * A load generator for one URL, run as its own process: `deno run -A bench/http_load.ts URL
 * SECONDS CONNECTIONS`. Prints one JSON line: requests, errors, requests/s, latency percentiles.
 */
const [url, secondsArg, connectionsArg] = Deno.args;
if (!url) {
  console.error("usage: http_load.ts URL [SECONDS=5] [CONNECTIONS=16]");
  Deno.exit(2);
}
const seconds = Number(secondsArg ?? 5);
const connections = Number(connectionsArg ?? 16);
const latencies: number[] = [];
let errors = 0;
const end = performance.now() + seconds * 1000;
await Promise.all(Array.from({ length: connections }, async () => {
  while (performance.now() < end) {
    const started = performance.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status >= 500 && response.status !== 503) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - started);
  }
}));
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(JSON.stringify({
  requests: latencies.length,
  errors,
  perSecond: latencies.length / seconds,
  p50: at(50),
  p99: at(99),
}));
