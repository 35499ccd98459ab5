/**
 * Off-site steps after a successful backup: a copy into `BACKUP_COPY_DIR` (a mounted path)
 * and `BACKUP_POST_COMMAND` (e.g. an `rclone copy` line). The command line is split into argv
 * here, never handed to a shell: quotes group words, nothing is expanded, and the backup's
 * path replaces `{file}` inside one argument (or is appended as the last argument).
 */
import { basename, join } from "node:path";
import type { OffsiteRecord } from "./manifest.ts";
import { fsyncDir, fsyncFileAsync, removeQuietly } from "./files.ts";
import { postCommandArgv } from "./argv.ts";

/** Runs the post-backup command; never throws: the record says what happened. */
export async function runPostCommand(
  line: string,
  file: string,
  timeoutMs: number,
): Promise<OffsiteRecord> {
  const started = Date.now();
  const record = (ok: boolean, message: string, exitCode?: number): OffsiteRecord => ({
    target: "post_command",
    ok,
    at: new Date().toISOString(),
    durationMs: Date.now() - started,
    ...(exitCode !== undefined ? { exitCode } : {}),
    message,
  });
  let argv: string[];
  try {
    argv = postCommandArgv(line, file);
  } catch (error) {
    return record(false, `BACKUP_POST_COMMAND cannot be parsed: ${(error as Error).message}`);
  }
  try {
    const output = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const stderr = new TextDecoder().decode(output.stderr).trim();
    const tail = stderr.length > 300 ? `…${stderr.slice(-300)}` : stderr;
    if (output.success) return record(true, `"${argv[0]}" exited 0`, 0);
    const how = output.signal ? `was killed by ${output.signal}` : `exited ${output.code}`;
    const timedOut = Date.now() - started >= timeoutMs;
    return record(
      false,
      `"${argv[0]}" ${timedOut ? `timed out after ${timeoutMs / 1000} s and ` : ""}${how}${
        tail ? `: ${tail}` : ""
      }`,
      output.code,
    );
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return record(false, `"${argv[0]}" was not found (check BACKUP_POST_COMMAND and PATH)`, 127);
    }
    return record(false, `"${argv[0]}" could not be run: ${(error as Error).message}`);
  }
}

/** Copies the backup (and the manifest beside it) into `copyDir`; never throws. */
export async function copyToDir(
  file: string,
  manifestFile: string,
  copyDir: string,
): Promise<OffsiteRecord> {
  const started = Date.now();
  const name = basename(file);
  const target = join(copyDir, name);
  const partial = join(copyDir, `.${name}.partial-${Deno.pid}`);
  const manifestPartial = join(copyDir, `.manifest.json.partial-${Deno.pid}`);
  try {
    await Deno.copyFile(file, partial);
    await fsyncFileAsync(partial);
    await Deno.rename(partial, target);
    await Deno.copyFile(manifestFile, manifestPartial);
    await fsyncFileAsync(manifestPartial);
    await Deno.rename(manifestPartial, join(copyDir, "manifest.json"));
    fsyncDir(copyDir);
    return {
      target: "copy_dir",
      ok: true,
      at: new Date().toISOString(),
      durationMs: Date.now() - started,
      message: target,
    };
  } catch (error) {
    removeQuietly(partial);
    removeQuietly(manifestPartial);
    return {
      target: "copy_dir",
      ok: false,
      at: new Date().toISOString(),
      durationMs: Date.now() - started,
      message: `copy to BACKUP_COPY_DIR "${copyDir}" failed: ${(error as Error).message}`,
    };
  }
}
