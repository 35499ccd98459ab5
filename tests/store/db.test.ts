import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  CorruptDatabaseError,
  LATEST_SCHEMA_VERSION,
  type Migration,
  MIGRATIONS,
  NewerSchemaError,
  openDatabase,
  openStore,
} from "../../src/store/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { PAGE_CACHE_KIB } from "../../src/store/db.ts";

async function sha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("store: opening the database", () => {
  it("creates a new database in WAL mode with foreign keys, NORMAL sync and the latest schema", async () => {
    const path = join(await tempDir(), "blitz.db");
    const store = openStore(path);
    const pragma = (name: string) =>
      Object.values(store.db.prepare(`PRAGMA ${name}`).get() as object)[0];
    expect(pragma("journal_mode")).toBe("wal");
    expect(pragma("foreign_keys")).toBe(1);
    expect(pragma("synchronous")).toBe(1);
    expect(Number(pragma("busy_timeout"))).toBeGreaterThan(0);
    expect(pragma("cache_size")).toBe(-PAGE_CACHE_KIB);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    store.setSetting("greeting", "hello");
    store.close();
    const again = openStore(path);
    expect(again.getSetting("greeting")).toBe("hello");
    expect(again.created).toBe(false);
    again.close();
  });

  it("applies each migration in its own transaction: a failing one leaves no trace", async () => {
    const path = join(await tempDir(), "blitz.db");
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        description: "half-broken",
        sql: "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);",
      },
    ];
    expect(() => openDatabase(path, { migrations: broken })).toThrow(
      /Migration \d+ \(half-broken\) failed/,
    );
    const db = new DatabaseSync(path);
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version)
      .toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it("refuses a file that is not SQLite and leaves its bytes untouched", async () => {
    const path = join(await tempDir(), "blitz.db");
    await Deno.writeTextFile(path, "this is a text file, not a database\n".repeat(200));
    const before = await sha256(path);
    expect(() => openStore(path)).toThrow(CorruptDatabaseError);
    expect(() => openStore(path)).toThrow(/not a SQLite database/);
    expect(await sha256(path)).toBe(before);
  });

  it("refuses a damaged SQLite file and leaves its bytes untouched", async () => {
    const path = join(await tempDir(), "blitz.db");
    const store = openStore(path);
    store.db.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)");
    const insert = store.db.prepare("INSERT INTO filler (text) VALUES (?)");
    for (let i = 0; i < 2000; i++) insert.run("x".repeat(200));
    store.close();
    const bytes = await Deno.readFile(path);
    // Overwrite pages in the middle of the file with garbage (not the header).
    for (let i = 8192; i < 8192 * 6; i++) bytes[i] = (i * 31) & 0xff;
    await Deno.writeFile(path, bytes);
    const before = await sha256(path);
    expect(() => openStore(path)).toThrow(CorruptDatabaseError);
    expect(await sha256(path)).toBe(before);
  });

  it("refuses a database from a newer schema and says which versions", async () => {
    const path = join(await tempDir(), "blitz.db");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    const before = await sha256(path);
    let error: unknown;
    try {
      openStore(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NewerSchemaError);
    expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 5}`);
    expect((error as Error).message).toContain(`up to ${LATEST_SCHEMA_VERSION}`);
    expect(await sha256(path)).toBe(before);
  });
});
