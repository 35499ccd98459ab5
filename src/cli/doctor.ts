/**
 * `blitz doctor [--json]`: a checklist of what Blitz needs — configuration, token shape, data
 * directory permissions, database integrity and schema, disk space, the HTTP port (or the
 * running instance's health), the newest backup's age and verification, admin and stats
 * channels, clock and time zone — with ✓/✗ and a fix for each ✗. Exit 1 if any check fails.
 * Safe beside a running Blitz: it only reads.
 */
import type { Command } from "@commander-js/extra-typings";
import { type DoctorCheck, runDoctor } from "../ops/doctor.ts";
import { ExitCode, ExitRequest } from "./exit_codes.ts";
import { printLine } from "./output.ts";

const MARKS: Record<DoctorCheck["status"], string> = {
  pass: "✓",
  warn: "!",
  fail: "✗",
  skip: "-",
};

/** Registers `blitz doctor`. */
export function registerDoctorCommand(program: Command): void {
  program.command("doctor")
    .description("check the configuration, data, database, disk, port, backups and clock")
    .option("-d, --data-dir <dir>", "data directory (BLITZ_DATA_DIR, default ./data)")
    .option("-p, --port <port>", "HTTP port (BLITZ_HTTP_PORT, default 8000)")
    .option("--json", 'print {"ok": bool, "checks": [{name, status, detail, fix?}]}')
    .addHelpText(
      "after",
      `\nStatuses: ✓ pass, ! warning (does not fail), ✗ fail (with a fix), - skipped.\n` +
        `Exit codes: 0 every check passed (warnings allowed), 1 at least one failed,\n` +
        `2 command-line misuse.\n`,
    )
    .action(async (options) => {
      const checks = await runDoctor({
        flags: { BLITZ_DATA_DIR: options.dataDir, BLITZ_HTTP_PORT: options.port },
      });
      const ok = checks.every((c) => c.status !== "fail");
      if (options.json) {
        printLine(JSON.stringify({ ok, checks }, null, 2));
      } else {
        for (const check of checks) {
          printLine(`${MARKS[check.status]} ${check.name}: ${check.detail}`);
          if (check.fix) printLine(`    fix: ${check.fix}`);
        }
        const failed = checks.filter((c) => c.status === "fail").length;
        printLine(
          failed === 0
            ? "\nAll checks passed."
            : `\n${failed} check${failed === 1 ? "" : "s"} failed.`,
        );
      }
      throw new ExitRequest(ok ? ExitCode.Ok : ExitCode.Failure);
    });
}
