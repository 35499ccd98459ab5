import { defineConfig } from "vitest/config";

/** The fault suite: `deno task test:faults`. Bounded, loopback only. */
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "react" },
  test: {
    include: ["tests/faults/**/*.test.ts"],
    pool: "forks",
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ["default", "./tests/_helpers/summary_reporter.ts"],
  },
});
