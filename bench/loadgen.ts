/**
 * The load generator, run as its own process: starts a Discord sandbox, waits for a bot to
 * connect, then plays Basketball Blitz as many users at a fixed rate and measures each
 * interaction from dispatch to callback (the sandbox's own clock).
 *
 *   deno run -A bench/loadgen.ts '{"scenario":"rate","rates":[500],"seconds":10,"users":1000}'
 *
 * Protocol on stdout: first line `READY <token> <restUrl> <sandboxUrl>`, then one JSON line per
 * step, then `DONE`. Scenarios: "rate" (solo game clicks at each rate), "hold" (open `games`
 * solo games and keep them open while clicking at `rates[0]`), "ping" (/ping at each rate).
 */
import { startSandbox } from "../src/sandbox/mod.ts";
import { cpuSecondsOf, percentile, rssOf } from "./lib.ts";

interface Config {
  scenario: "rate" | "hold" | "ping";
  rates: number[];
  seconds: number;
  users: number;
  games?: number;
  /** Stop raising the rate once p99 passes this (ms) twice in a row at the same rate. */
  stopAboveP99Ms?: number;
  /**
   * Seconds at `rates[0]` before the measured steps, reported apart as `{"warmup": …}`: the
   * bot's first seconds (V8 still compiling its hot code, SQLite's cache cold) are start-up,
   * not steady state.
   */
  warmupSeconds?: number;
}

const config: Config = JSON.parse(Deno.args[0] ?? "{}");
// Discord keeps an interaction token 15 minutes, and so does the sandbox by default: at 300
// actions/s that is 270,000 interactions, 150 MB of live heap in this process, whose full
// collections then paused it for up to 112 ms. Every interaction sent meanwhile was measured
// late, and Blitz met the burst that followed (D30). Blitz uses a token only in the seconds
// after the interaction, so two minutes keep the harness out of the figures.
// A bot with no limit on the requests it keeps in flight (the bare peer, past its rate) opens
// connections until this process runs out of file descriptors, and Deno.serve's accept loop then
// rejects. Say so and carry on: the step fails on its answers, and the bench reads the figures.
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  console.error(`loadgen: ${event.reason}`);
});
const sandbox = await startSandbox({ port: 0, interactionTokenLifetimeMs: 120_000 });
console.log(`READY ${sandbox.token} ${sandbox.restUrl} ${sandbox.url}`);

// Wait (bounded) for the bot to connect and register its commands.
for (let i = 0; i < 600; i++) {
  const state = await sandbox.client.state();
  const commands = await sandbox.client.commands();
  if (state.sessions.some((s: { connected: boolean }) => s.connected) && commands.length > 0) break;
  await new Promise((r) => setTimeout(r, 50));
}

const driver = sandbox.driver;
const users = Array.from({ length: config.users }, (_, i) => driver.loadUser(i + 1));
interface Seat {
  user: typeof users[number];
  busy: boolean;
  next?: string; // custom_id of the next click; undefined: start a game
  messageId?: string;
  /** A start was refused (a game is still open somewhere): forfeit it first. */
  forfeit?: boolean;
}
const seats: Seat[] = users.map((user) => ({ user, busy: false }));
/** Interactions sent and not answered yet; `start`: a /blitz play, whose answer is the board. */
const pending = new Map<
  string,
  { seat: Seat; sentAt: number; start: boolean; kind: keyof typeof sentKinds }
>();
let latencies: number[] = [];
/** This step's latencies by kind of action (a start costs Blitz more than a click). */
let latenciesByKind: Record<string, number[]> = {};
/** This step's latencies by 5-second window (the worst window is reported too). */
let windows: number[][] = [];
let stepStartedAt = 0;
/**
 * `LOADGEN_TRACE=/tmp/x.txt`: every answer as "sent-ms latency-ms interaction-id" (sent in Unix ms),
 * for analysis (`bench/trace_report.ts`).
 * Each run appends, so one bench's runs share the file and their times tell them apart.
 */
const trace: string[] | undefined = Deno.env.get("LOADGEN_TRACE") ? [] : undefined;
let answered = 0;
let refused = 0;
/** What was sent, by kind: a game-click figure is worth only as much as its share of clicks. */
const sentKinds = { pings: 0, clicks: 0, starts: 0, forfeits: 0 };

/** The next click from a board's components: home attacks at even possessions. */
function nextClick(components: unknown): string | undefined {
  const rows = Array.isArray(components)
    ? components as { components?: { custom_id?: string }[] }[]
    : [];
  const offense = rows[0]?.components?.map((c) => c.custom_id ?? "") ?? [];
  const defense = rows[1]?.components?.map((c) => c.custom_id ?? "") ?? [];
  const k = Number(offense[0]?.split(":")[2]);
  if (!Number.isInteger(k)) return undefined;
  const row = k % 2 === 0 ? offense : defense;
  return row[(k * 7) % row.length];
}

driver.onAnswer((id, callback, latencyMs, originalMessageId) => {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  // The board is the reply's message.
  if (entry.start && originalMessageId) entry.seat.messageId = originalMessageId;
  entry.seat.busy = false;
  answered++;
  latencies.push(latencyMs);
  (latenciesByKind[entry.kind] ??= []).push(latencyMs);
  (windows[Math.floor((performance.now() - stepStartedAt) / 5000)] ??= []).push(latencyMs);
  trace?.push(
    `${(performance.timeOrigin + performance.now() - latencyMs).toFixed(1)} ${
      latencyMs.toFixed(2)
    } ${id}`,
  );
  const data = callback.data as { components?: unknown; flags?: number } | undefined;
  if (config.scenario === "ping") return;
  if ((data?.flags ?? 0) & 64) {
    refused++; // an ephemeral refusal: start over (after a forfeit if a game was left open)
    entry.seat.forfeit = entry.seat.next === undefined;
    entry.seat.next = undefined;
    return;
  }
  entry.seat.next = nextClick(data?.components);
});

/**
 * Which seat acts next. Each seat first acts once in turn (the players arrive and start their
 * games: the latency bench's warm-up takes those starts), then a seeded random one acts
 * (mulberry32, the same sequence every run). Taken in turn throughout, every seat clicked at the
 * same pace, all 3,000 games ended in the same second and 3,000 `/blitz play`s arrived at once,
 * in whichever step that happened to be (docs/DECISIONS.md D37); players do not finish in step.
 * Drawn at random, a game of ~16 clicks ends a quarter of its length earlier or later, and the
 * restarts spread out. `LOADGEN_ORDER=turns` keeps the seats in turn throughout (as before).
 */
let arrived = 0;
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function act(): boolean {
  const from = arrived < seats.length || Deno.env.get("LOADGEN_ORDER") === "turns"
    ? arrived++
    : Math.floor(random() * seats.length);
  for (let tries = 0; tries < seats.length; tries++) {
    // A busy seat (its last action not answered yet) passes its turn to the next one.
    const seat = seats[(from + tries) % seats.length]!;
    if (seat.busy) continue;
    if (config.scenario === "hold" && !seat.next && seat.messageId) continue; // game over: keep seat idle
    seat.busy = true;
    try {
      const kind: keyof typeof sentKinds = config.scenario === "ping"
        ? "pings"
        : seat.forfeit
        ? "forfeits"
        : seat.next && seat.messageId
        ? "clicks"
        : "starts";
      seat.forfeit = false;
      const handle = kind === "pings"
        ? driver.command({ userId: seat.user.id, name: "ping" })
        : kind === "forfeits"
        ? driver.command({ userId: seat.user.id, name: "blitz", subcommand: "forfeit" })
        : kind === "clicks"
        ? driver.click({ userId: seat.user.id, messageId: seat.messageId!, customId: seat.next! })
        : driver.command({ userId: seat.user.id, name: "blitz", subcommand: "play" });
      sentKinds[kind]++;
      pending.set(handle.id, {
        seat,
        sentAt: performance.now(),
        start: kind === "starts",
        kind,
      });
      return true;
    } catch {
      seat.busy = false;
      seat.next = undefined;
      refused++;
      return false;
    }
  }
  return false;
}

/** The highest p99 of this step's 5-second windows with 100+ answers; NaN when none had. */
function worstWindowP99(): number {
  const p99s = windows.filter((w) => w && w.length >= 100).map((w) => percentile(w, 99));
  return p99s.length ? Math.max(...p99s) : NaN;
}

async function runAt(rate: number, seconds: number) {
  latencies = [];
  latenciesByKind = {};
  windows = [];
  stepStartedAt = performance.now();
  const startAnswered = answered;
  const startRefused = refused;
  const startKinds = { ...sentKinds };
  const cpuStart = cpuSecondsOf(Deno.pid);
  const started = performance.now();
  // Paced like a constant-rate generator (wrk2): at most a few ms between sends, so 500/s is
  // one action every 2 ms rather than a burst of 5 every 10 ms. \`LOADGEN_TICK_MS\` overrides.
  const interval = Number(
    Deno.env.get("LOADGEN_TICK_MS") ?? Math.max(1, Math.min(10, 1000 / rate)),
  );
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      if (!act()) break;
      sent++;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  // Let in-flight answers land (bounded).
  for (let i = 0; i < 100 && pending.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - started) / 1000;
  const counts = driver.counts();
  return {
    rate,
    sent,
    answered: answered - startAnswered,
    perSecond: (answered - startAnswered) / elapsed,
    /** Sent in this step, by kind, and the ephemeral refusals among the answers. */
    kinds: Object.fromEntries(
      Object.entries(sentKinds).map(([k, v]) => [k, v - startKinds[k as keyof typeof sentKinds]]),
    ),
    refused: refused - startRefused,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length ? Math.max(...latencies) : NaN,
    /** p99 and count of each kind answered in this step. */
    byKind: Object.fromEntries(
      Object.entries(latenciesByKind).map(([k, v]) => [k, { n: v.length, p99: percentile(v, 99) }]),
    ),
    worstWindowP99: worstWindowP99(),
    failedTotal: counts.failed,
    loadgenCpuPercent: ((cpuSecondsOf(Deno.pid) - cpuStart) / elapsed) * 100,
    loadgenRssBytes: rssOf(Deno.pid),
    loadgenHeap: (({ heapUsed, heapTotal, external }) => ({ heapUsed, heapTotal, external }))(
      Deno.memoryUsage(),
    ),
  };
}

if (config.scenario === "hold") {
  // The bot connected and idle: the parent reads its RSS on this line (the runtime's floor),
  // after the same 20 s of quiet as the reading at rest below, so that the heap trimmer has run
  // on both and their difference is what the open games hold.
  await new Promise((r) => setTimeout(r, 20_000));
  console.log(JSON.stringify({ idle: true }));
  // Open `games` solo games (one per user), then click in them at rates[0].
  // Opened at a steady 400 games/s, as a busy evening would, not all in one burst.
  const target = config.games ?? 1000;
  for (let i = 0; i < target; i++) {
    act();
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 400 && pending.size > 0; i++) await new Promise((r) => setTimeout(r, 25));
  console.log(JSON.stringify({ opened: target, answered }));
  // The games open and nothing happening for 20 s (V8, SQLite and Blitz's heap trimmer, which
  // looks every 5 s once the process is quiet, settle): RSS at rest.
  await new Promise((r) => setTimeout(r, 20_000));
  console.log(JSON.stringify({ settled: true }));
}
if (config.warmupSeconds) {
  const warmup = await runAt(config.rates[0] ?? 100, config.warmupSeconds);
  console.log(JSON.stringify({ warmup }));
}
for (const rate of config.rates) {
  const result = await runAt(rate, config.seconds);
  console.log(JSON.stringify(result));
  const limit = config.stopAboveP99Ms;
  if (limit === undefined || result.p99 <= limit) continue;
  // One stall in either process (a major collection, the scheduler) tips a step's p99: at
  // 2,500/s, 80 ms of it is the step's slowest 1 %. So a step over the limit runs once more,
  // and the ladder stops only when that fails too; both lines are reported.
  const again = { ...await runAt(rate, config.seconds), again: true };
  console.log(JSON.stringify(again));
  if (again.p99 > limit) break;
}
/** Writes a diagnostic file; a bad path is reported in one line and the run still ends well. */
async function writeDiagnostic(name: string, write: (path: string) => unknown | Promise<unknown>) {
  const path = Deno.env.get(name);
  if (!path) return;
  try {
    await write(path);
  } catch (error) {
    console.error(`loadgen: could not write ${name}=${path}: ${(error as Error).message}`);
  }
}
await writeDiagnostic("LOADGEN_TRACE", (path) => {
  if (trace) Deno.writeTextFileSync(path, trace.join("\n") + "\n", { append: true });
});
// `LOADGEN_SNAPSHOT=/tmp/x.heapsnapshot`: the sandbox's heap at the end (what the harness holds).
await writeDiagnostic(
  "LOADGEN_SNAPSHOT",
  async (path) => (await import("node:v8")).default.writeHeapSnapshot(path),
);
console.log("DONE");
// The parent stops the bot on DONE: close the sandbox after it left (bounded), so the bot does
// not see Discord vanish and log a reconnect.
for (let i = 0; i < 100; i++) {
  const state = await sandbox.client.state();
  if (!state.sessions.some((s: { connected: boolean }) => s.connected)) break;
  await new Promise((r) => setTimeout(r, 50));
}
await sandbox.close();
Deno.exit(0);
