/**
 * Interaction latency, throughput, concurrency and memory under load: a load generator
 * process (sandbox + simulated users, `loadgen.ts`) and Blitz in another process, on loopback.
 * A minimal discord.js bot (`peer_discordjs.ts`) answers the same /ping load for comparison, and
 * a bot with no library (`peer_bare.ts`) shows the most this machine allows any bot.
 */
import { BOT_V8_FLAGS } from "../src/v8_flags.ts";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  anonRssOf,
  type Bench,
  benchDir,
  cpuSecondsOf,
  cpuSecondsOrNaN,
  type Figure,
  freePort,
  machineCpuSeconds,
  percentile,
  round,
  rssOf,
} from "./lib.ts";
import { openStore } from "../src/store/mod.ts";
import { createGamesRepo } from "../src/store/games_repo.ts";

const LOADGEN = fileURLToPath(new URL("./loadgen.ts", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const PEER = fileURLToPath(new URL("./peer_discordjs.ts", import.meta.url));
const BARE = fileURLToPath(new URL("./peer_bare.ts", import.meta.url));

/**
 * What else used the machine while a load ran: CPU of processes other than the bench, the load
 * generator and the bot, and the hypervisor's steal, each in % of one core. A soak or a p99
 * measured while these were high measured the machine, not Blitz.
 */
export interface MachineShare {
  othersCpuPercent: number;
  stealPercent: number;
}

/** One step's result line from the load generator. */
export interface StepResult {
  rate: number;
  sent: number;
  answered: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** A second run at this rate: the first one's p99 passed `stopAboveP99Ms`. */
  again?: boolean;
  /** The highest p99 of the step's 5-second windows. */
  worstWindowP99: number;
  /** Interactions sent in the step, by kind (pings, clicks, starts, forfeits). */
  kinds: Record<string, number>;
  /** The answers of each kind in the step: how many, and their p99. */
  byKind?: Record<string, { n: number; p99: number }>;
  /** Answers that were ephemeral refusals. */
  refused: number;
  failedTotal: number;
  loadgenCpuPercent: number;
  /** The load generator's (and sandbox's) RSS at the end of the step. */
  loadgenRssBytes: number;
  botCpuPercent?: number;
  botRssBytes?: number;
  /** The bot's anonymous RSS (heaps, stacks) when the step ended. */
  botAnonBytes?: number;
}

async function* lines(stream: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let index;
    while ((index = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
    }
  }
}

/** "clicks: 14,200, p99 9 ms; starts: 800, p99 21 ms": each kind's answers and p99. */
function byKind(step: StepResult): string {
  return Object.entries(step.byKind ?? {})
    .map(([kind, { n, p99 }]) => `${kind}: ${n.toLocaleString("en-US")}, p99 ${ms(p99)} ms`)
    .join("; ");
}

/** Which bot a load runs against: Blitz, the discord.js peer, or the bare peer (no library). */
export type BotUnderLoad = "blitz" | "discordjs" | "bare";

/** Runs one load-generator scenario against Blitz (or a peer). */
export async function runLoad(
  scenario: Record<string, unknown>,
  options: {
    bot: BotUnderLoad;
    dataDir: string;
    env?: Record<string, string>;
    onStep?: () => void;
    /** Called every second with the bot's RSS and anonymous RSS (bytes) while the load runs. */
    onRssSample?: (rssBytes: number, anonBytes: number) => void;
  },
): Promise<
  {
    steps: StepResult[];
    extra: Record<string, unknown>[];
    botRssBytes: number;
    botPid: number;
    machine: MachineShare;
  }
> {
  // `BENCH_PRELOAD=bench/loop_stalls.ts` preloads a module into the load generator and the bot.
  const preload = Deno.env.get("BENCH_PRELOAD")
    ? [`--preload=${Deno.env.get("BENCH_PRELOAD")}`]
    : [];
  // With LOADGEN_V8_FLAGS (e.g. --trace-gc), its start in Unix ms, as for the bot below.
  if (Deno.env.get("LOADGEN_V8_FLAGS")) console.error(`loadgen spawned at ${Date.now()} (Unix ms)`);
  const loadgen = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      ...preload,
      // `LOADGEN_V8_FLAGS=--trace-gc` adds V8 flags to the load generator (and sandbox).
      ...(Deno.env.get("LOADGEN_V8_FLAGS")
        ? [`--v8-flags=${Deno.env.get("LOADGEN_V8_FLAGS")}`]
        : []),
      // `LOADGEN_INSPECT=127.0.0.1:9230` opens its inspector, for `bench/profile.ts`.
      ...(Deno.env.get("LOADGEN_INSPECT") ? [`--inspect=${Deno.env.get("LOADGEN_INSPECT")}`] : []),
      LOADGEN,
      JSON.stringify(scenario),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = lines(loadgen.stdout);
  let ready = "";
  while (!ready.startsWith("READY")) {
    const next = await reader.next();
    if (next.done) throw new Error("the load generator stopped before it was ready");
    ready = next.value;
  }
  const [, token, restUrl] = ready.split(" ");
  // With BENCH_V8_FLAGS (e.g. --trace-gc, whose times count from the bot's start), the bot's
  // start in Unix ms, to line its output up with LOADGEN_TRACE.
  if (Deno.env.get("BENCH_V8_FLAGS")) console.error(`bot spawned at ${Date.now()} (Unix ms)`);
  const bot = new Deno.Command(Deno.execPath(), {
    args: options.bot === "blitz"
      ? [
        "run",
        "-A",
        "--quiet",
        ...preload,
        // `BENCH_V8_FLAGS=--prof,--logfile=…` adds V8 flags (for `node --prof-process`).
        `--v8-flags=${
          [...BOT_V8_FLAGS, ...(Deno.env.get("BENCH_V8_FLAGS")?.split(",") ?? [])].join(",")
        }`,
        // `BENCH_INSPECT=127.0.0.1:9229` opens the inspector for `bench/profile.ts`.
        ...(Deno.env.get("BENCH_INSPECT") ? [`--inspect=${Deno.env.get("BENCH_INSPECT")}`] : []),
        MAIN,
        "run",
      ]
      : ["run", "-A", "--quiet", options.bot === "bare" ? BARE : PEER],
    env: {
      DISCORD_TOKEN: token!,
      DISCORD_API_URL: restUrl!,
      BLITZ_DATA_DIR: options.dataDir,
      BLITZ_HTTP_HOST: "127.0.0.1",
      BLITZ_HTTP_PORT: String(freePort()),
      ...(options.env?.BLITZ_HTTP_PORT ? { BLITZ_HTTP_PORT: options.env.BLITZ_HTTP_PORT } : {}),
      LOG_LEVEL: "error",
      USER_RATE_BURST: "1000",
      USER_RATE_PER_SECOND: "1000",
      SHOT_CLOCK_SECONDS: "600",
      NO_COLOR: "1",
      ...options.env,
    },
    stdout: Deno.env.get("BENCH_V8_FLAGS") ? "inherit" : "null", // --trace-gc writes to stdout
    stderr: "inherit",
  }).spawn();
  const steps: StepResult[] = [];
  const extra: Record<string, unknown>[] = [];
  const sampler = options.onRssSample
    ? setInterval(() => {
      const rss = rssOf(bot.pid);
      if (rss > 0) options.onRssSample!(rss, anonRssOf(bot.pid));
    }, 1000)
    : undefined;
  let cpuMark = cpuSecondsOf(bot.pid);
  let timeMark = performance.now();
  const machineStart = machineCpuSeconds();
  const mineStart = cpuSecondsOf(Deno.pid) + cpuSecondsOf(bot.pid) + cpuSecondsOf(loadgen.pid);
  const runStart = timeMark;
  let botRssBytes = 0;
  for await (const line of reader) {
    if (line === "DONE") break;
    if (!line.startsWith("{")) { // V8's own output (LOADGEN_V8_FLAGS=--trace-gc)
      console.error(`loadgen: ${line}`);
      continue;
    }
    const parsed = JSON.parse(line);
    const now = performance.now();
    const cpu = cpuSecondsOf(bot.pid);
    botRssBytes = rssOf(bot.pid);
    const botAnonBytes = anonRssOf(bot.pid);
    if ("rate" in parsed) {
      steps.push({
        ...parsed,
        botCpuPercent: ((cpu - cpuMark) / ((now - timeMark) / 1000)) * 100,
        botRssBytes,
        botAnonBytes,
      });
    } else extra.push({ ...parsed, botRssBytes, botAnonBytes });
    cpuMark = cpu;
    timeMark = now;
    options.onStep?.();
  }
  clearInterval(sampler);
  const machineEnd = machineCpuSeconds();
  const mineEnd = cpuSecondsOf(Deno.pid) + cpuSecondsOrNaN(bot.pid) + cpuSecondsOrNaN(loadgen.pid);
  const seconds = (performance.now() - runStart) / 1000;
  const machine = {
    othersCpuPercent: Math.max(
      0,
      ((machineEnd.busy - machineStart.busy - (mineEnd - mineStart)) / seconds) * 100,
    ),
    stealPercent: ((machineEnd.steal - machineStart.steal) / seconds) * 100,
  };
  bot.kill("SIGTERM");
  await bot.status;
  await loadgen.status;
  return { steps, extra, botRssBytes, botPid: bot.pid, machine };
}

function storePlayers(path: string, count: number) {
  const store = openStore(path);
  const repo = createGamesRepo(store);
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < count; i++) {
      repo.touchPlayer(String(400000000000000000n + BigInt(i)), `stored${i}`, now);
    }
  });
  store.close();
}

const ms = (v: number) => round(v, 2);

/** What else the machine ran during `what` (see {@link MachineShare}). */
function machineFigure(machine: MachineShare, what: string): Figure {
  return {
    name: "other processes' CPU during the run",
    value: round(machine.othersCpuPercent, 1),
    unit: "% core",
    note: `${what}; the hypervisor's steal ${round(machine.stealPercent, 1)} % of a core`,
  };
}

/**
 * Interaction latency at 500 actions/s, Blitz vs a minimal discord.js bot. Each bot gets 5 s at
 * the rate first (its start-up: V8 compiling the hot paths), reported on its own line; the
 * figures are the next 30 s (15,000 interactions), with the worst 5-second window's p99.
 */
export const latencyBench: Bench = {
  name: "latency",
  description:
    "interaction latency (sandbox dispatch → callback) at 500 actions/s: 5 s warm-up, then 30 s; Blitz vs a minimal discord.js bot",
  async run(): Promise<Figure[]> {
    const a = await benchDir();
    const b = await benchDir();
    const c = await benchDir();
    const load = { rates: [500], seconds: 30, warmupSeconds: 5 };
    try {
      const game = await runLoad({ scenario: "rate", users: 1000, ...load }, {
        bot: "blitz",
        dataDir: a.dir,
      });
      const ping = await runLoad({ scenario: "ping", users: 200, ...load }, {
        bot: "blitz",
        dataDir: b.dir,
      });
      const peer = await runLoad({ scenario: "ping", users: 200, ...load }, {
        bot: "discordjs",
        dataDir: c.dir,
      });
      const g = game.steps[0]!, p = ping.steps[0]!, d = peer.steps[0]!;
      const warm = (run: typeof game) =>
        (run.extra.find((e) => "warmup" in e)?.warmup ?? {}) as Partial<StepResult>;
      const gw = warm(game);
      return [
        {
          name: "game clicks: p50 / p95",
          value: ms(g.p50),
          unit: "ms",
          note: `p95 ${ms(g.p95)} ms, ${round(g.perSecond, 0)} actions/s answered`,
        },
        {
          name: "game clicks: p99 (30 s after the warm-up)",
          value: ms(g.p99),
          unit: "ms",
          target: "< 10",
          ok: g.p99 < 10,
          note: `worst 5-s window ${ms(g.worstWindowP99)} ms, max ${ms(g.max)} ms; ${byKind(g)}`,
        },
        {
          name: "game clicks: p99 in the 5 s warm-up (first 5 s after start)",
          value: ms(gw.p99 ?? NaN),
          unit: "ms",
          note: `p50 ${ms(gw.p50 ?? NaN)} ms, max ${ms(gw.max ?? NaN)} ms`,
        },
        {
          name: "/ping: Blitz p50 / p99",
          value: ms(p.p50),
          unit: "ms",
          note: `p99 ${ms(p.p99)} ms, warm-up p99 ${ms(warm(ping).p99 ?? NaN)} ms`,
        },
        {
          name: "/ping: discord.js p50 / p99",
          value: ms(d.p50),
          unit: "ms",
          note: `p99 ${ms(d.p99)} ms, warm-up p99 ${ms(warm(peer).p99 ?? NaN)} ms`,
        },
        { name: "/ping p99 ratio Blitz / discord.js", value: round(p.p99 / d.p99, 2), unit: "×" },
        {
          name: "RSS Blitz / discord.js under /ping load",
          value: round(p.botRssBytes! / 1048576, 1),
          unit: "MiB",
          note: `discord.js ${round(d.botRssBytes! / 1048576, 1)} MiB, ratio ${
            round(p.botRssBytes! / d.botRssBytes!, 2)
          }×`,
        },
        {
          name: "CPU Blitz / load generator+sandbox (game clicks)",
          value: round(g.botCpuPercent!, 0),
          unit: "% core",
          note: `load generator + sandbox ${round(g.loadgenCpuPercent, 0)}% core`,
        },
        {
          name: "interactions failed (no answer in 3 s)",
          value: g.failedTotal + p.failedTotal,
          unit: "",
          target: "= 0",
          ok: g.failedTotal + p.failedTotal === 0,
        },
        machineFigure(game.machine, "the game-click run"),
      ];
    } finally {
      await a.cleanup();
      await b.cleanup();
      await c.cleanup();
    }
  },
};

/** The highest rate answered with p99 ≤ 50 ms, and the step that reached it. */
function sustained(steps: StepResult[]): { best: number; kept?: StepResult } {
  const good = steps.filter((s) => s.p99 <= 50);
  const kept = good.reduce<StepResult | undefined>(
    (m, s) => (m && m.perSecond >= s.perSecond ? m : s),
    undefined,
  );
  return { best: kept?.perSecond ?? 0, kept };
}

/** CPU per action in ms of the bot and of the load generator with the sandbox, at `step`. */
function cpuPerAction(step: StepResult): { botMs: number; loadgenMs: number } {
  return {
    botMs: (step.botCpuPercent! / 100) * 1000 / step.perSecond,
    loadgenMs: (step.loadgenCpuPercent / 100) * 1000 / step.perSecond,
  };
}

/** One line per step: the rate offered, and its p99 and CPU. */
function ladder(steps: StepResult[]): string {
  return steps.map((s) =>
    `${s.rate}/s${s.again ? " (again)" : ""}: p99 ${ms(s.p99)} ms, bot ${
      round(s.botCpuPercent!, 0)
    }% + load generator ${round(s.loadgenCpuPercent, 0)}%`
  ).join("; ");
}

/**
 * Sustained throughput: raise the click rate until p99 passes 50 ms. Then /ping the same way
 * for Blitz, the discord.js peer and the bare peer (no library, no game, no database), so the
 * figure stands beside what the framework and what this machine allow.
 */
/** What a game-click step sent: the share of clicks among its interactions, and the refusals. */
function clickShare(step: StepResult): string {
  const sent = Object.values(step.kinds).reduce((a, b) => a + b, 0);
  const clicks = step.kinds.clicks ?? 0;
  return `${sent ? round((clicks / sent) * 100, 0) : 0} % clicks (the rest /blitz play and ` +
    `forfeit), ${step.refused} refused`;
}

export const throughputBench: Bench = {
  name: "throughput",
  description:
    "game actions/s until p99 passes 50 ms (8 s per step); /ping the same way for Blitz, discord.js and a bot with no library",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    const pingDir = await benchDir();
    try {
      // 250/s apart where this machine tops out, so the figure is not rounded down to 1,000.
      const rates = [500, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 4000, 5000, 6000, 8000];
      const { steps } = await runLoad(
        { scenario: "rate", rates, seconds: 8, users: 3000, stopAboveP99Ms: 50 },
        { bot: "blitz", dataDir: dir },
      );
      const { best, kept } = sustained(steps);
      const figures: Figure[] = [{
        name: "sustained actions/s with p99 ≤ 50 ms",
        value: round(best, 0),
        unit: "actions/s",
        target: "≥ 5000",
        ok: best >= 5000,
      }];
      // What 5,000/s would cost on this machine, from the last step that kept up: CPU per
      // action of Blitz and of the load generator with the sandbox (its own process).
      const cores = navigator.hardwareConcurrency;
      if (kept) {
        const { botMs: blitzMs, loadgenMs } = cpuPerAction(kept);
        figures.push({
          name: "CPU per action: Blitz / load generator + sandbox",
          value: round(blitzMs, 3),
          unit: "ms",
          note: `load generator + sandbox ${round(loadgenMs, 3)} ms; 5,000/s would need ${
            round((blitzMs + loadgenMs) * 5, 1)
          } cores, this machine has ${cores}`,
        });
      }
      for (const s of steps) {
        figures.push({
          name: `  offered ${s.rate}/s${s.again ? " (again)" : ""}`,
          value: round(s.perSecond, 0),
          unit: "answered/s",
          note: `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, Blitz CPU ${
            round(s.botCpuPercent!, 0)
          }%, load generator ${round(s.loadgenCpuPercent, 0)}%; ${clickShare(s)}`,
        });
      }

      // /ping, the same ladder for three bots. Each starts with 5 s at the first rate.
      const pingLoad = {
        scenario: "ping",
        rates: [1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 6000],
        seconds: 8,
        users: 3000,
        stopAboveP99Ms: 50,
        warmupSeconds: 5,
      };
      const pings: Record<BotUnderLoad, StepResult[]> = { blitz: [], discordjs: [], bare: [] };
      for (const bot of ["blitz", "discordjs", "bare"] as const) {
        pings[bot] = (await runLoad(pingLoad, { bot, dataDir: pingDir.dir })).steps;
      }
      const blitz = sustained(pings.blitz);
      const peer = sustained(pings.discordjs);
      const bare = sustained(pings.bare);
      const ratio = (a: number, b: number) => b > 0 ? `${round(a / b, 2)}×` : "n/a";
      const perAction = (run: { kept?: StepResult }) => {
        if (!run.kept) return "none kept p99 ≤ 50 ms";
        const { botMs, loadgenMs } = cpuPerAction(run.kept);
        return `CPU per interaction at ${round(run.kept.perSecond, 0)}/s: bot ${
          round(botMs, 3)
        } ms, load generator + sandbox ${round(loadgenMs, 3)} ms`;
      };
      figures.push(
        {
          name: "/ping sustained with p99 ≤ 50 ms: Blitz",
          value: round(blitz.best, 0),
          unit: "/s",
          note: `discord.js ${round(peer.best, 0)}/s (Blitz ÷ discord.js ${
            ratio(blitz.best, peer.best)
          }); bare bot ${round(bare.best, 0)}/s (Blitz ÷ bare ${ratio(blitz.best, bare.best)})`,
        },
        {
          name: "the machine's ceiling: a bot with no library, /ping with p99 ≤ 50 ms",
          value: round(bare.best, 0),
          unit: "/s",
          note: `${perAction(bare)}; ${
            bare.best < 5000
              ? "under 5,000/s with no library, no game and no database, with the load generator on the same cores"
              : "5,000/s is within this machine's reach"
          }`,
        },
      );
      for (
        const [bot, label] of [["blitz", "Blitz"], ["discordjs", "discord.js"], [
          "bare",
          "bare bot",
        ]] as const
      ) {
        const run = sustained(pings[bot]);
        figures.push({
          name: `  /ping ladder, ${label}`,
          value: round(run.best, 0),
          unit: "/s",
          note: `${perAction(run)}; ${ladder(pings[bot])}`,
        });
      }
      return figures;
    } finally {
      await cleanup();
      await pingDir.cleanup();
    }
  },
};

/** 5,000 active games with the shot clock running, 50,000 players stored: latency and memory. */
export const concurrencyBench: Bench = {
  name: "concurrency",
  description:
    "5,000 active games (shot clocks armed), 50,000 players stored: p99 at 500 actions/s and RSS",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    try {
      storePlayers(join(dir, "blitz.db"), 50_000);
      const { steps, extra } = await runLoad(
        { scenario: "hold", games: 5000, rates: [500], seconds: 10, users: 5000 },
        { bot: "blitz", dataDir: dir },
      );
      const s = steps[0]!;
      const line = (key: string) =>
        extra.find((e) => key in e) as Record<string, number> | undefined;
      const idle = line("idle")?.botRssBytes ?? NaN;
      const opened = line("opened") as { opened: number; botRssBytes: number } | undefined;
      const settled = line("settled")?.botRssBytes ?? NaN;
      const mib = (bytes: number) => round(bytes / 1048576, 1);
      const anon = (bytes: number | undefined, rss: number) =>
        `${mib(bytes ?? NaN)} MiB anonymous, ${mib(rss - (bytes ?? NaN))} MiB file pages`;
      return [
        { name: "games held open", value: opened?.opened ?? NaN, unit: "games" },
        {
          name: "p99 at 500 actions/s",
          value: ms(s.p99),
          unit: "ms",
          target: "< 50",
          ok: s.p99 < 50,
          note: `p50 ${ms(s.p50)} ms`,
        },
        {
          name: "RSS connected, no game open (runtime floor)",
          value: mib(idle),
          unit: "MiB",
          note: `50,000 players stored; ${anon(line("idle")?.botAnonBytes, idle)}`,
        },
        {
          name: "RSS with 5,000 games open, at rest",
          value: mib(settled),
          unit: "MiB",
          target: "< 100",
          ok: settled < 100 * 1048576,
          note: `${round(((settled - idle) / 5000) / 1024, 1)} KiB per open game over the floor; ${
            anon(line("settled")?.botAnonBytes, settled)
          }`,
        },
        {
          name: "RSS with 5,000 games, under 500 actions/s",
          value: mib(s.botRssBytes!),
          unit: "MiB",
          target: "< 100",
          ok: s.botRssBytes! < 100 * 1048576,
          note: anon(s.botAnonBytes, s.botRssBytes!),
        },
      ];
    } finally {
      await cleanup();
    }
  },
};

function storeBulk(path: string, targetBytes: number) {
  const store = openStore(path);
  const now = Date.now();
  const repo = createGamesRepo(store);
  store.transaction(() => {
    for (let i = 0; i < 20_000; i++) {
      repo.touchPlayer(String(600000000000000000n + BigInt(i)), `bulk${i}`, now);
    }
  });
  const insert = store.prepare(
    `INSERT INTO games (guild_id, channel_id, mode, status, home_id, away_id, seed, possessions, shot_clock_ms,
       picks, home_score, away_score, winner, created_at, updated_at, finished_at)
     VALUES ('1', '2', 'challenge', 'completed', ?, ?, ?, 8, 30000, '0123456789abcdef', 18, 12, 'home', ?, ?, ?)`,
  );
  let i = 0;
  // At least one batch of 50,000 games, then more until the file reaches `targetBytes`.
  do {
    store.transaction(() => {
      for (let j = 0; j < 50_000; j++, i++) {
        insert.run(
          String(600000000000000000n + BigInt((2 * i) % 20_000)),
          String(600000000000000000n + BigInt((2 * i + 1) % 20_000)),
          i,
          now - 86_400_000,
          now,
          now - 3_600_000,
        );
      }
    });
    store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } while (Deno.statSync(path).size < targetBytes);
  store.close();
  return i;
}

/** A 100 MB database backed up through the running instance while it serves 200 actions/s. */
export const backupBench: Bench = {
  name: "backup",
  description:
    "online backup of a 100 MB database while serving 200 game actions/s; slowest command meanwhile",
  async run(): Promise<Figure[]> {
    const { dir, cleanup } = await benchDir();
    try {
      const games = storeBulk(join(dir, "blitz.db"), 100 * 1024 * 1024);
      const dbBytes = Deno.statSync(join(dir, "blitz.db")).size;
      const httpPort = freePort();
      let backupMs = NaN;
      let backupDone: Promise<void> | undefined;
      let step = 0;
      const { steps } = await runLoad({
        scenario: "rate",
        rates: [200, 200, 200],
        seconds: 5,
        users: 500,
      }, {
        bot: "blitz",
        dataDir: dir,
        env: { BLITZ_HTTP_PORT: String(httpPort) },
        onStep: () => {
          if (++step !== 1) return;
          // Start the backup as the second step begins; that step's slowest answer is the figure.
          const token = Deno.readTextFileSync(join(dir, "admin.token")).trim();
          const started = performance.now();
          backupDone = fetch(`http://127.0.0.1:${httpPort}/api/backups`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ label: "bench" }),
          }).then(async (r) => {
            await r.body?.cancel();
            if (r.status === 201) backupMs = performance.now() - started;
          });
        },
      });
      await backupDone;
      const during = steps[1];
      return [
        {
          name: "database size",
          value: round(dbBytes / 1048576, 1),
          unit: "MiB",
          note: `${games} games`,
        },
        {
          name: "backup time (API call to verified file)",
          value: round(backupMs / 1000, 2),
          unit: "s",
          target: "< 3",
          ok: backupMs < 3000,
        },
        {
          name: "slowest command during the backup",
          value: during ? round(during.max, 0) : NaN,
          unit: "ms",
          target: "< 100",
          ok: during !== undefined && during.max < 100,
          note: during ? `p99 ${ms(during.p99)} ms over ${during.answered} actions` : "",
        },
        {
          name: "slowest command before the backup",
          value: round(steps[0]?.max ?? NaN, 0),
          unit: "ms",
        },
      ];
    } finally {
      await cleanup();
    }
  },
};

/** A positive number from the environment, `fallback` when unset; anything else is refused. */
function positiveEnv(name: string, fallback: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number (it is "${raw}"); unset it for ${fallback}`);
  }
  return value;
}

/**
 * Memory growth: RSS after SOAK_MINUTES (default 30) of steady load vs after a sixth of it.
 *
 * RSS follows V8's collection cycle (the heap grows to its limit, then a collection returns
 * it), so a single reading lands anywhere in a 60-80 MiB swing. RSS is read every second, and
 * each side is the median of the readings in the minute before it (also reported: that
 * minute's low and high).
 */
export const soakBench: Bench = {
  name: "soak",
  description:
    "RSS growth under steady load (SOAK_RATE actions/s, default 300): after SOAK_MINUTES (default 30) vs after a sixth of it",
  async run(): Promise<Figure[]> {
    const minutes = positiveEnv("SOAK_MINUTES", 30);
    const seeded = Deno.env.get("SOAK_SEED") !== "0";
    const rate = positiveEnv("SOAK_RATE", 300);
    const { dir, cleanup } = await benchDir();
    try {
      // A stored history (50,000 completed games), as on a server that has been playing for a
      // while; SOAK_SEED=0 starts from an empty database. SOAK_RATE changes the 300 actions/s.
      const seedGames = seeded ? storeBulk(join(dir, "blitz.db"), 0) : 0;
      const stepSeconds = 30;
      const steps = Math.max(6, Math.round((minutes * 60) / stepSeconds));
      const samples: { at: number; rss: number; anon: number }[] = [];
      const started = performance.now();
      const result = await runLoad(
        { scenario: "rate", rates: Array(steps).fill(rate), seconds: stepSeconds, users: 1000 },
        {
          bot: "blitz",
          dataDir: dir,
          onRssSample: (rss, anon) =>
            samples.push({ at: (performance.now() - started) / 1000, rss, anon }),
        },
      );
      // The minute before `endSeconds` of load (the bot connects within the first seconds).
      const window = (endSeconds: number, key: "rss" | "anon" = "rss") => {
        const last = samples.at(-1)?.at ?? 0;
        const end = Math.min(endSeconds, last);
        const values = samples.filter((x) => x.at > end - 60 && x.at <= end).map((x) => x[key])
          .sort((a, b) => a - b);
        return {
          median: percentile(values, 50),
          low: values[0] ?? NaN,
          high: values.at(-1) ?? NaN,
          count: values.length,
        };
      };
      const totalSeconds = steps * stepSeconds;
      const early = window(totalSeconds / 6);
      const late = window(totalSeconds);
      const growth = ((late.median - early.median) / early.median) * 100;
      const p99s = result.steps.map((s) => s.p99);
      const mib = (bytes: number) => round(bytes / 1048576, 1);
      const worst = result.steps.reduce((w, s) => (s.p99 > w.p99 ? s : w), result.steps[0]!);
      return [
        { name: "load", value: rate, unit: "actions/s", note: "SOAK_RATE (default 300)" },
        {
          name: "database at the start",
          value: round(seedGames, 0),
          unit: "completed games",
          note: seeded ? "20,000 players; SOAK_SEED=0 starts empty" : "started empty (SOAK_SEED=0)",
        },
        {
          name: `RSS after ${round(minutes / 6, 1)} min (median of that minute, 1 reading/s)`,
          value: mib(early.median),
          unit: "MiB",
          note: `low ${mib(early.low)}, high ${mib(early.high)} MiB over ${early.count} readings`,
        },
        {
          name: `RSS after ${minutes} min (median of that minute, 1 reading/s)`,
          value: mib(late.median),
          unit: "MiB",
          note: `low ${mib(late.low)}, high ${mib(late.high)} MiB over ${late.count} readings`,
        },
        // Two decimals: at one, a growth of 4.96 % printed as "5 %" beside a passed "< 5".
        { name: "growth", value: round(growth, 2), unit: "%", target: "< 5", ok: growth < 5 },
        {
          name: "anonymous RSS (heaps, stacks), the same minutes",
          value: mib(window(totalSeconds / 6, "anon").median),
          unit: "MiB",
          note: `then ${mib(window(totalSeconds, "anon").median)} MiB (${
            round(
              (window(totalSeconds, "anon").median / window(totalSeconds / 6, "anon").median - 1) *
                100,
              1,
            )
          } %); the rest is file pages, mostly the deno executable`,
        },
        {
          name: "RSS medians at each sixth of the run",
          value: mib(window(totalSeconds / 6).median),
          unit: "MiB",
          note: [1, 2, 3, 4, 5, 6].map((k) => mib(window((totalSeconds * k) / 6).median)).join(
            " → ",
          ) + " MiB",
        },
        {
          name: "p99 over the run (max of 30 s windows)",
          value: round(Math.max(...p99s), 0),
          unit: "ms",
          note: `that window: p50 ${round(worst.p50, 1)} ms, max ${round(worst.max, 0)} ms`,
        },
        {
          name: "load generator + sandbox RSS, first / last step",
          value: mib(result.steps[0]?.loadgenRssBytes ?? NaN),
          unit: "MiB",
          note: `last ${mib(result.steps.at(-1)?.loadgenRssBytes ?? NaN)} MiB`,
        },
        {
          name: "interactions failed",
          value: result.steps.at(-1)?.failedTotal ?? NaN,
          unit: "",
          target: "= 0",
          ok: (result.steps.at(-1)?.failedTotal ?? 1) === 0,
        },
        machineFigure(result.machine, "the soak"),
      ];
    } finally {
      await cleanup();
    }
  },
};
