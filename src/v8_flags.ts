/**
 * The V8 flags `blitz run` is meant to run with: `deno task start` passes them (deno.json, kept
 * equal by a test), `build.ts` bakes them into the compiled binary, and the benchmarks measure
 * with them.
 *
 * - `--max-semi-space-size=2`: a 2 MB young generation (docs/DECISIONS.md D17).
 * - `--heap-growing-percent=100`: V8 starts its next major collection once the heap has doubled
 *   over what the last one left live. Left to itself, V8 sometimes let a 22 MB live heap reach
 *   100–120 MB first, which made RSS swing by 60 MiB and creep over a 30-minute soak; at 500
 *   actions/s this costs no measurable latency (docs/DECISIONS.md D29).
 */
export const BOT_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=2",
  "--heap-growing-percent=100",
];
