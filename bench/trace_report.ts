/**
 * Where each answer's time went: lines up the load generator's `LOADGEN_TRACE` (sent, latency,
 * interaction id) with the bot's `bench/interaction_trace.ts` file and prints, for the answers
 * sent after `--skip` seconds, the percentiles of each leg:
 *
 * - in: dispatch sent by the sandbox → the frame at the bot's WebSocket (the sandbox's send, the
 *   relay, the wait for the bot's loop);
 * - bot: frame → the bot's `fetch` for the callback (parse, handler, database, discordeno);
 * - out: that `fetch` → the sandbox recording the callback;
 *
 * then which leg held the slow answers (≥ `--slow` ms), and the bot's own stalls (a "bot" leg
 * over 4 ms) with the time between them: a steady period points at something periodic (docs/DECISIONS.md
 * D38 found SQLite's WAL checkpoints that way).
 *
 *   LOADGEN_TRACE=/tmp/lt.txt BENCH_PRELOAD=bench/interaction_trace.ts INTERACTION_TRACE_DIR=/tmp \
 *     deno task bench --only latency
 *   deno run -A bench/trace_report.ts /tmp/lt.txt /tmp/interaction-trace.<pid>.txt [--skip 5] [--slow 10]
 */
import { percentile } from "./lib.ts";

export interface TracedAnswer {
  id: string;
  sentAt: number;
  latencyMs: number;
  inMs: number;
  botMs: number;
  outMs: number;
}

/** Joins the two traces by interaction id; answers the bot never saw or never fetched for are left out. */
export function joinTraces(loadgenText: string, botText: string): TracedAnswer[] {
  const seen = new Map<string, { w?: number; f?: number }>();
  for (const line of botText.split("\n")) {
    const [kind, id, at] = line.split(" ");
    if (!id || at === undefined) continue;
    const entry = seen.get(id) ?? {};
    if (kind === "W") entry.w ??= Number(at);
    if (kind === "F") entry.f ??= Number(at); // the first attempt: a retry is part of "out"
    seen.set(id, entry);
  }
  const answers: TracedAnswer[] = [];
  for (const line of loadgenText.split("\n")) {
    const [sent, latency, id] = line.split(" ");
    const entry = id ? seen.get(id) : undefined;
    if (!entry?.w || !entry.f) continue;
    const sentAt = Number(sent);
    const latencyMs = Number(latency);
    answers.push({
      id: id!,
      sentAt,
      latencyMs,
      inMs: entry.w - sentAt,
      botMs: entry.f - entry.w,
      outMs: sentAt + latencyMs - entry.f,
    });
  }
  return answers.sort((a, b) => a.sentAt - b.sentAt);
}

const LEGS = ["inMs", "botMs", "outMs"] as const;

/** The report as text. */
export function report(answers: TracedAnswer[], skipSeconds: number, slowMs: number): string {
  if (answers.length === 0) return "no answer is in both traces (were both taken in the same run?)";
  const from = answers[0]!.sentAt + skipSeconds * 1000;
  const measured = answers.filter((a) => a.sentAt >= from);
  const out: string[] = [`${measured.length} answers after the first ${skipSeconds} s`];
  const row = (name: string, values: number[]) =>
    `  ${name.padEnd(8)} p50 ${percentile(values, 50).toFixed(2)}  p90 ${
      percentile(values, 90).toFixed(2)
    }  p99 ${percentile(values, 99).toFixed(2)}  max ${Math.max(...values).toFixed(2)} ms`;
  out.push(row("total", measured.map((a) => a.latencyMs)));
  for (const leg of LEGS) out.push(row(leg.replace("Ms", ""), measured.map((a) => a[leg])));
  const slow = measured.filter((a) => a.latencyMs >= slowMs);
  const held: Record<string, number> = { in: 0, bot: 0, out: 0 };
  for (const a of slow) {
    const longest = LEGS.reduce((x, y) => (a[y] > a[x] ? y : x));
    held[longest.replace("Ms", "")]! += 1;
  }
  out.push(
    `${slow.length} answers took ${slowMs} ms or more; the longest leg was in: ${held.in}, bot: ${held.bot}, out: ${held.out}`,
  );
  const stalls = measured.filter((a) => a.botMs > 4);
  out.push(
    `${stalls.length} bot legs over 4 ms (at s after the first answer, ms, gap since the last):`,
  );
  let last: number | undefined;
  for (const a of stalls.slice(0, 40)) {
    const at = a.sentAt + a.inMs;
    out.push(
      `  ${((at - answers[0]!.sentAt) / 1000).toFixed(2)} s  ${a.botMs.toFixed(1)} ms${
        last === undefined ? "" : `  +${((at - last) / 1000).toFixed(2)} s`
      }`,
    );
    last = at;
  }
  return out.join("\n");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args[at + 1]);
    args.splice(at, 2);
    if (!Number.isFinite(value)) {
      console.error(`${name} needs a number`);
      Deno.exit(2);
    }
    return value;
  };
  const skip = option("--skip", 5);
  const slow = option("--slow", 10);
  if (args.length !== 2) {
    console.error(
      "usage: deno run -A bench/trace_report.ts LOADGEN_TRACE-file interaction-trace-file [--skip s] [--slow ms]",
    );
    Deno.exit(2);
  }
  let texts: string[];
  try {
    texts = args.map((path) => Deno.readTextFileSync(path));
  } catch (error) {
    console.error(`Cannot read a trace: ${(error as Error).message}`);
    Deno.exit(1);
  }
  console.log(report(joinTraces(texts[0]!, texts[1]!), skip, slow));
}
