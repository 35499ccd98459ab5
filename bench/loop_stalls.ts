/**
 * A diagnostic preloaded into the bot and the load generator with `BENCH_PRELOAD=bench/loop_stalls.ts`
 * (`deno run --preload`): it records each time the process's event loop came back more than 8 ms
 * late to a 2 ms timer, and writes them as "Unix-ms-of-the-stall late-ms" lines to
 * `$LOOP_STALLS_DIR/loop-stalls.<pid>.txt` (default the system's temporary directory) every second
 * and when the process ends. Lined up with `LOADGEN_TRACE`, it tells a slow answer that waited on
 * a stalled loop (and whose) from one that did not (docs/DECISIONS.md D31). The 2 ms timer costs
 * a few per cent of a core: compare runs that both have it.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

const LATE_MS = 8;
const EVERY_MS = 2;
const path = join(Deno.env.get("LOOP_STALLS_DIR") ?? tmpdir(), `loop-stalls.${Deno.pid}.txt`);
const stalls: string[] = [];
let expected = performance.now() + EVERY_MS;
Deno.unrefTimer(setInterval(() => {
  const now = performance.now();
  const late = now - expected;
  if (late > LATE_MS) {
    stalls.push(`${(performance.timeOrigin + expected).toFixed(1)} ${late.toFixed(1)}`);
  }
  expected = now + EVERY_MS;
}, EVERY_MS));
let written = 0;
const write = () => {
  if (stalls.length === written) return;
  try {
    Deno.writeTextFileSync(path, stalls.join("\n") + "\n");
    written = stalls.length;
  } catch (error) {
    console.error(`loop_stalls: cannot write ${path}: ${(error as Error).message}`);
  }
};
Deno.unrefTimer(setInterval(write, 1000));
globalThis.addEventListener("unload", write);
