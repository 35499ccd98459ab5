/**
 * Prints the closing line CI reads: `N passed, N failed` (and `, N skipped`). A file that
 * fails to load and an unhandled error each count as a failure; a run with no test fails.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  private line = "";

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (tests === 0 && module.state() === "failed") failed++;
    }
    if (passed + failed === 0) failed++; // a run that executes no test is a failure
    this.line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
  }

  /** Runs after the default reporter's summary, so the count is the run's last line. */
  onFinished(): void {
    if (this.line) process.stdout.write(`${this.line}\n`);
  }
}
