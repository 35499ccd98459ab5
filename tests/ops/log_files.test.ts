import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { pruneLogFiles, tailJsonLines } from "../../src/ops/log_files.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("log files", () => {
  it("returns the last N JSON lines of the log, parsed", async () => {
    const dir = await tempDir();
    const path = join(dir, "blitz.log");
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ message: `line ${i}` }));
    await Deno.writeTextFile(path, lines.join("\n") + "\nnot json\n");
    const tail = tailJsonLines(path, 3);
    expect(tail).toEqual([{ message: "line 48" }, { message: "line 49" }, { message: "not json" }]);
    expect(tailJsonLines(join(dir, "missing.log"), 10)).toEqual([]);
    // Reading only the end of a big file drops the partial first line.
    const small = tailJsonLines(path, 100, 60);
    expect(small.every((l) => typeof l.message === "string" && !/^\d/.test(String(l.message))))
      .toBe(true);
  });

  it("deletes rotated log files older than the retention, never the current one", async () => {
    const dir = await tempDir();
    for (const name of ["blitz.log", "blitz.log.1", "blitz.log.2"]) {
      await Deno.writeTextFile(join(dir, name), "x");
    }
    const old = new Date(Date.UTC(2020, 0, 1));
    await Deno.utime(join(dir, "blitz.log"), old, old);
    await Deno.utime(join(dir, "blitz.log.2"), old, old);
    expect(pruneLogFiles(dir, Date.UTC(2021, 0, 1))).toEqual(["blitz.log.2"]);
    expect([...Deno.readDirSync(dir)].map((e) => e.name).sort()).toEqual([
      "blitz.log",
      "blitz.log.1",
    ]);
    expect(pruneLogFiles(join(dir, "nope"), Date.now())).toEqual([]);
  });
});
