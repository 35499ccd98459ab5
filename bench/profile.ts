/**
 * CPU or allocation profile of a running Blitz through the V8 inspector: start the benchmark
 * with `BENCH_INSPECT=127.0.0.1:9229`, then run `deno run -A bench/profile.ts [seconds] [out]`
 * while the load runs. Prints the top functions by self time and writes a `.cpuprofile` (Chrome
 * DevTools can open it). With `--alloc` it samples allocations instead and prints the functions
 * that allocate the most. With `--promoted` (implies `--alloc`) it leaves out what died young, so
 * it shows what reaches the old generation: what is still live, and what only a major collection
 * frees, the garbage that drives major collections. (The inspector adds its own cost: compare
 * shares, not absolute times.)
 */
const promoted = Deno.args.includes("--promoted");
const alloc = promoted || Deno.args.includes("--alloc");
const args = Deno.args.filter((a) => a !== "--alloc" && a !== "--promoted");
const seconds = Number(args[0] ?? 10);
const out = args[1] ?? (alloc ? "blitz.heapprofile" : "blitz.cpuprofile");
const inspect = Deno.env.get("BENCH_INSPECT") ?? "127.0.0.1:9229";

const targets = await (await fetch(`http://${inspect}/json`)).json() as Array<
  { webSocketDebuggerUrl: string }
>;
const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
let nextId = 1;
const pending = new Map<number, (value: unknown) => void>();
ws.addEventListener("message", (event) => {
  const message = JSON.parse(event.data as string);
  pending.get(message.id)?.(message.result);
  pending.delete(message.id);
});
const send = (method: string, params: Record<string, unknown> = {}) =>
  new Promise<unknown>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** A short, readable name for a profile frame: function, file (npm package or src/…), line. */
function describeFrame(frame: CallFrame): { url: string; key: string } {
  const url = frame.url.replace(/^.*node_modules\/\.deno\//, "npm:").replace(
    /^file:\/\/\/.*?\/(src|tui)\//,
    "$1/",
  );
  return { url, key: `${frame.functionName || "(anonymous)"} ${url}:${frame.lineNumber + 1}` };
}

interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

if (alloc) {
  await send("HeapProfiler.enable");
  await send("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !promoted,
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { profile } = await send("HeapProfiler.stopSampling") as {
    profile: { head: AllocNode; samples: Array<{ size: number; nodeId: number }> };
  };
  ws.close();
  await Deno.writeTextFile(out, JSON.stringify(profile));
  const sizes = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocNode) => {
    const self = node.selfSize;
    if (self > 0) {
      const { key } = describeFrame(node.callFrame);
      sizes.set(key, (sizes.get(key) ?? 0) + self);
      total += self;
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  console.log(
    `\n${promoted ? "promoted " : ""}allocations sampled by function (${
      (total / 1048576).toFixed(1)
    } MiB sampled)`,
  );
  for (const [k, v] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(v / total * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
  Deno.exit(0);
}

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
await new Promise((r) => setTimeout(r, seconds * 1000));
const { profile } = await send("Profiler.stop") as { profile: Profile };
ws.close();
await Deno.writeTextFile(out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byFile = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]!)!;
  const dt = profile.timeDeltas[i] ?? 0;
  const { url, key } = describeFrame(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + dt);
  const file = url.split(":")[0] || node.callFrame.functionName;
  byFile.set(file, (byFile.get(file) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const show = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(v / total * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show("self time by function", self, 40);
show("self time by file", byFile, 30);
console.log(`\n${(total / 1e6).toFixed(2)} s sampled, written to ${out}`);
