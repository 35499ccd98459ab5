/**
 * `deno task bench [--only NAME,...]`: runs the benchmarks, prints their figures, and writes
 * them to bench/results/latest.json with the date, machine and commit.
 */
import { type Bench, type Figure } from "./lib.ts";
import { loadBench, storageBench } from "./storage.ts";
import { startBench } from "./start.ts";
import { httpBench } from "./http.ts";
import { tuiBench } from "./tui.ts";
import { backupBench, concurrencyBench, latencyBench, soakBench, throughputBench } from "./load.ts";

const BENCHES: Bench[] = [
  storageBench,
  loadBench,
  startBench,
  httpBench,
  latencyBench,
  throughputBench,
  concurrencyBench,
  backupBench,
  tuiBench,
  soakBench,
];
/** Benchmarks that take long and run only when named (`--only soak`) or with `--all`. */
const LONG = new Set(["soak"]);

const onlyIndex = Deno.args.indexOf("--only");
const only = onlyIndex >= 0 ? (Deno.args[onlyIndex + 1] ?? "").split(",") : undefined;
const all = Deno.args.includes("--all");
const selected = BENCHES.filter((b) => (only ? only.includes(b.name) : all || !LONG.has(b.name)));
if (selected.length === 0) {
  console.error(
    `No benchmark named ${only?.join(", ")}. Known: ${BENCHES.map((b) => b.name).join(", ")}`,
  );
  Deno.exit(2);
}

async function git(args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

// Blitz runs from a bundle built on the first start after a change (src/cli/program_bundle.ts):
// build it now, so that no benchmark times the bundling.
await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--quiet", new URL("../src/main.ts", import.meta.url).pathname, "version"],
  stdout: "null",
  stderr: "inherit",
}).output();

const results: Record<string, Figure[]> = {};
const failed: string[] = [];
for (const bench of selected) {
  console.log(`\n== ${bench.name}: ${bench.description}`);
  const started = performance.now();
  let figures: Figure[];
  try {
    figures = results[bench.name] = await bench.run();
  } catch (error) {
    // Printed, not recorded: the last figures this benchmark produced stay in latest.json with
    // the date and commit they were measured on, and the run exits 1 below.
    failed.push(`${bench.name}: ${(error as Error).message}`);
    figures = [{ name: "error", value: NaN, unit: "", ok: false, note: (error as Error).message }];
  }
  for (const f of figures) {
    const verdict = f.ok === undefined ? "" : f.ok ? "  ✓" : "  ✗";
    console.log(
      `  ${f.name.padEnd(48)} ${String(f.value).padStart(10)} ${f.unit.padEnd(8)}${
        f.target ? ` target ${f.target}` : ""
      }${verdict}${f.note ? `  (${f.note})` : ""}`,
    );
  }
  console.log(`  (${Math.round(performance.now() - started)} ms)`);
}

/** What latest.json holds. */
interface Report {
  date: string;
  commit: string;
  machine: { cores: number; os: string; deno: string };
  results: Record<string, Figure[]>;
  /** When each benchmark's figures were measured (ISO date), and on which commit. */
  measuredAt?: Record<string, string>;
  measuredOn?: Record<string, string>;
}

const report: Report = {
  date: new Date().toISOString(),
  commit: await git(["rev-parse", "--short", "HEAD"]),
  machine: {
    cores: navigator.hardwareConcurrency,
    os: `${Deno.build.os}-${Deno.build.arch}`,
    deno: Deno.version.deno,
  },
  results,
};
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
const previous: Partial<Report> = await Deno.readTextFile(
  new URL("./results/latest.json", import.meta.url),
).then(JSON.parse).catch(() => ({}));
// Benchmarks not run this time (or that failed) keep their last figures, with the date and
// commit they were measured on.
const ranAt = Object.fromEntries(Object.keys(results).map((name) => [name, report.date]));
const ranOn = Object.fromEntries(Object.keys(results).map((name) => [name, report.commit]));
const merged: Report = {
  ...report,
  results: { ...(previous.results ?? {}), ...results },
  measuredAt: { ...(previous.measuredAt ?? {}), ...ranAt },
  measuredOn: { ...(previous.measuredOn ?? {}), ...ranOn },
};
if (Object.keys(results).length > 0) {
  await Deno.writeTextFile(
    new URL("./results/latest.json", import.meta.url),
    JSON.stringify(merged, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    new URL("../docs/BENCHMARKS.md", import.meta.url),
    renderMarkdown(merged),
  );
  console.log("\nWritten to bench/results/latest.json and docs/BENCHMARKS.md");
}
// A benchmark that could not run fails the run, so that a script or CI step notices.
if (failed.length > 0) {
  console.error(
    `\n${failed.length} benchmark(s) could not run (their last figures were kept):\n  ${
      failed.join("\n  ")
    }`,
  );
  Deno.exit(1);
}

/** The results as the table in docs/BENCHMARKS.md. */
function renderMarkdown(data: Report): string {
  const lines = [
    "# Benchmarks",
    "",
    "Written by `deno task bench` (do not edit by hand). Each section's figures come from one run",
    "on the machine below, on the date and commit it names; timings on 2 shared cores are noisy,",
    "so compare ratios within one run.",
    "",
    `- last run: ${data.date}, commit ${data.commit} (each section says when it was measured)`,
    `- machine: ${data.machine.cores} cores, ${data.machine.os}, Deno ${data.machine.deno}`,
    "",
  ];
  for (const bench of BENCHES) {
    const figures = data.results[bench.name];
    if (!figures) continue;
    lines.push(
      `## ${bench.name}: ${bench.description}`,
      "",
      `Measured ${data.measuredAt?.[bench.name] ?? data.date}${
        data.measuredOn?.[bench.name] ? ` on commit ${data.measuredOn[bench.name]}` : ""
      }.`,
      "",
      "| figure | value | target | met |",
      "| --- | --- | --- | --- |",
    );
    for (const f of figures) {
      const value = `${f.value} ${f.unit}`.trim() + (f.note ? ` (${f.note})` : "");
      lines.push(
        `| ${f.name.trim()} | ${value} | ${f.target ?? ""} | ${
          f.ok === undefined ? "" : f.ok ? "yes" : "**no**"
        } |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
