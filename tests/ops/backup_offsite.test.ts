import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { postCommandArgv, splitCommandLine } from "../../src/ops/backup/argv.ts";
import { copyToDir, runPostCommand } from "../../src/ops/backup/offsite.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("BACKUP_POST_COMMAND argv", () => {
  it("splits words like a shell, but expands nothing", () => {
    expect(splitCommandLine(`rclone copy {file} "remote:my backups" --log-level=INFO`)).toEqual([
      "rclone",
      "copy",
      "{file}",
      "remote:my backups",
      "--log-level=INFO",
    ]);
    expect(splitCommandLine(`a 'b c' "d \\"e\\"" f\\ g $HOME ; | && \`x\``)).toEqual([
      "a",
      "b c",
      'd "e"',
      "f g",
      "$HOME",
      ";",
      "|",
      "&&",
      "`x`",
    ]);
    expect(splitCommandLine(`  ''  x  `)).toEqual(["", "x"]);
  });

  it("refuses an unterminated quote", () => {
    expect(() => splitCommandLine(`rclone copy "oops`)).toThrow(SyntaxError);
  });

  it("puts the backup path into one argument, or appends it", () => {
    const file = "/data/backups/blitz-x; rm -rf ~.db";
    expect(postCommandArgv("upload --to=s3://b/{file}.copy", file)).toEqual([
      "upload",
      `--to=s3://b/${file}.copy`,
    ]);
    expect(postCommandArgv("upload --quiet", file)).toEqual(["upload", "--quiet", file]);
    expect(() => postCommandArgv("   ", file)).toThrow(SyntaxError);
  });

  it("runs the command without a shell: metacharacters in the line and the path stay arguments", async () => {
    const dir = await tempDir();
    const script = join(dir, "record.ts");
    await Deno.writeTextFile(
      script,
      `Deno.writeTextFileSync(${
        JSON.stringify(join(dir, "argv.json"))
      }, JSON.stringify(Deno.args));`,
    );
    const pwned = join(dir, "pwned");
    const line =
      `"${Deno.execPath()}" run -A "${script}" {file} "x; touch ${pwned}" '$(touch ${pwned})'`;
    const backupPath = join(dir, "blitz-1.db; touch " + pwned);
    const record = await runPostCommand(line, backupPath, 30_000);
    expect(record).toMatchObject({ target: "post_command", ok: true, exitCode: 0 });
    expect(JSON.parse(await Deno.readTextFile(join(dir, "argv.json")))).toEqual([
      backupPath,
      `x; touch ${pwned}`,
      `$(touch ${pwned})`,
    ]);
    await expect(Deno.stat(pwned)).rejects.toThrow(Deno.errors.NotFound);
  });

  it("records a failing command's exit code and the end of its stderr", async () => {
    const record = await runPostCommand(
      `"${Deno.execPath()}" eval "console.error('bucket not found'); Deno.exit(7)"`,
      "/tmp/x.db",
      30_000,
    );
    expect(record.ok).toBe(false);
    expect(record.exitCode).toBe(7);
    expect(record.message).toMatch(/exited 7: bucket not found/);
  });

  it("records a command that does not exist", async () => {
    const record = await runPostCommand("/nonexistent/rclone copy {file} r:", "/tmp/x.db", 5000);
    expect(record).toMatchObject({ ok: false, exitCode: 127 });
    expect(record.message).toMatch(/not found/);
  });

  it("stops a command that runs past its time limit", async () => {
    const record = await runPostCommand(
      `"${Deno.execPath()}" eval "await new Promise(() => setTimeout(() => {}, 60000))"`,
      "/x",
      300,
    );
    expect(record.ok).toBe(false);
    expect(record.message).toMatch(/timed out after 0.3 s/);
  });

  it("copies the backup and the manifest to BACKUP_COPY_DIR, or says why not", async () => {
    const dir = await tempDir();
    const copyDir = await tempDir();
    await Deno.writeTextFile(join(dir, "blitz-a.db"), "backup bytes");
    await Deno.writeTextFile(join(dir, "manifest.json"), "{}");
    const ok = await copyToDir(join(dir, "blitz-a.db"), join(dir, "manifest.json"), copyDir);
    expect(ok.ok).toBe(true);
    expect(await Deno.readTextFile(join(copyDir, "blitz-a.db"))).toBe("backup bytes");
    expect(await Deno.readTextFile(join(copyDir, "manifest.json"))).toBe("{}");
    const bad = await copyToDir(
      join(dir, "blitz-a.db"),
      join(dir, "manifest.json"),
      join(dir, "blitz-a.db", "sub"),
    );
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/BACKUP_COPY_DIR/);
  });
});
