import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runBlitz } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { openStore } from "../../src/store/mod.ts";
import { EXPORT_TABLES } from "../../src/store/maintenance.ts";
import { csvField, csvRecord, parseSince } from "../../src/cli/export.ts";
import { HAVE_SQLITE3, seedPlayers, sqlite3 } from "../ops/backup_helpers.ts";

const TRICKY = [
  'Quote "Q" Quinn',
  "Comma, Carl",
  "Line\nBreak",
  "Carriage\r\nReturn",
  "  spaced  ",
  "Émoji 🏀",
  "",
];

async function exportDataDir(): Promise<string> {
  const dataDir = await tempDir();
  const store = openStore(join(dataDir, "blitz.db"));
  const insert = store.prepare(
    "INSERT INTO players (id, name, rating, wins, last_seen) VALUES (?, ?, ?, ?, ?)",
  );
  TRICKY.forEach((name, i) =>
    insert.run(`t${i}`, name, 1500 - i * 10, i % 3, Date.UTC(2026, 0, 1 + i))
  );
  seedPlayers(store, 0, 3); // last_seen in 2023, ratings 1000..1002
  store.close();
  return dataDir;
}

describe("CSV encoding (RFC 4180)", () => {
  it("quotes only fields that need it and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvRecord(["x", 'y"', null, 3])).toBe('x,"y""",,3');
  });

  it("parses --since dates strictly", () => {
    expect(parseSince("2026-11-22")).toBe(Date.UTC(2026, 10, 22));
    expect(parseSince("2026-11-22T04:15:00Z")).toBe(Date.UTC(2026, 10, 22, 4, 15));
    expect(parseSince("2026-11-22T05:15:00+01:00")).toBe(Date.UTC(2026, 10, 22, 4, 15));
    for (
      const bad of [
        "2026-02-30",
        "2026-13-01",
        "yesterday",
        "22/11/2026",
        "2026-11-22T25:00:00Z",
        "2026-11-22T04:15",
      ]
    ) {
      expect(parseSince(bad), bad).toBeUndefined();
    }
  });
});

describe("blitz export", () => {
  it.runIf(HAVE_SQLITE3)(
    "writes players as RFC 4180 CSV that the sqlite3 shell reads back exactly",
    async () => {
      const dataDir = await exportDataDir();
      const out = join(await tempDir(), "players.csv");
      const result = await runBlitz({ args: ["export", "players", "--out", out, "-d", dataDir] });
      expect(result.code).toBe(0);
      expect(result.stderr.trim()).toBe(`Exported 10 players to ${out}`);
      const text = await Deno.readTextFile(out);
      expect(text.split("\r\n")[0]).toBe(EXPORT_TABLES.players.columns.join(","));
      expect(text.endsWith("\r\n")).toBe(true);

      const check = join(await tempDir(), "check.db");
      sqlite3(check, ".mode csv", `.import ${out} imported`);
      const names = JSON.parse(
        sqlite3(check, ".mode json", "SELECT id, name, last_seen FROM imported ORDER BY rowid"),
      );
      expect(names).toHaveLength(10);
      // Stable order: by id. p0..p2 sort before t0..t6.
      expect(names.map((n: { id: string }) => n.id)).toEqual([
        "p0",
        "p1",
        "p2",
        "t0",
        "t1",
        "t2",
        "t3",
        "t4",
        "t5",
        "t6",
      ]);
      expect(names.slice(3).map((n: { name: string }) => n.name)).toEqual(TRICKY);
      expect(names[3].last_seen).toBe("2026-01-01T00:00:00.000Z");
    },
  );

  it("filters with --since, sorts with --sort, drops repeats with --dedup, and writes JSON", async () => {
    const dataDir = await exportDataDir();
    const since = await runBlitz({
      args: ["export", "players", "--since", "2026-01-03", "--format", "json", "-d", dataDir],
    });
    expect(since.code).toBe(0);
    const rows = JSON.parse(since.stdout);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(["t2", "t3", "t4", "t5", "t6"]);
    expect(Object.keys(rows[0])).toEqual([...EXPORT_TABLES.players.columns]);

    const sorted = await runBlitz({
      args: ["export", "players", "--sort", "-rating", "--format", "json", "-d", dataDir],
    });
    expect(JSON.parse(sorted.stdout).map((r: { rating: number }) => r.rating).slice(0, 3)).toEqual([
      1500,
      1490,
      1480,
    ]);

    const dedup = await runBlitz({
      args: ["export", "players", "--dedup", "wins", "--sort", "wins,id", "-d", dataDir],
    });
    expect(dedup.code).toBe(0);
    const lines = dedup.stdout.trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + 3); // header + one row per distinct wins value (0, 1, 2)
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["p0", "t1", "t2"]);
  });

  it("exports games with their columns in the documented order", async () => {
    const dataDir = await tempDir();
    const store = openStore(join(dataDir, "blitz.db"));
    seedPlayers(store, 0, 4);
    store.close();
    const result = await runBlitz({ args: ["export", "games", "-d", dataDir] });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe(EXPORT_TABLES.games.columns.join(","));
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      /^1,,,,solo,completed,p0,,0,10,15000,,0,0,,,2023-11-14T22:13:20\.000Z,/,
    );
  });

  it("answers a bad --since, an unknown table and an unknown column with exit 2 and writes nothing", async () => {
    const dataDir = await exportDataDir();
    const outDir = await tempDir();
    const out = join(outDir, "x.csv");
    const badSince = await runBlitz({
      args: ["export", "players", "--since", "2026-02-30", "--out", out, "-d", dataDir],
    });
    expect(badSince.code).toBe(2);
    expect(badSince.stderr.split("\n")[0]).toBe(
      'error: invalid --since "2026-02-30": use a date like 2026-11-22 (UTC midnight) or a time like 2026-11-22T04:15:00Z',
    );
    const table = await runBlitz({ args: ["export", "teams", "-d", dataDir] });
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/Allowed choices are players, games/);
    const column = await runBlitz({
      args: ["export", "players", "--sort", "height", "-d", dataDir],
    });
    expect(column.code).toBe(2);
    expect(column.stderr).toMatch(/unknown column "height" for players/);
    expect([...Deno.readDirSync(outDir)]).toEqual([]);
  });
});
