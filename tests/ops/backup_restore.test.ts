import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createBackupService, InvalidBackupError } from "../../src/ops/backup/mod.ts";
import { StoreLockedError } from "../../src/ops/lock.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, openDatabase, openStore } from "../../src/store/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  dirChecksums,
  fakeClock,
  HAVE_SQLITE3,
  markerAndCount,
  seededDataDir,
  seedPlayers,
  sha256,
  sqlite3,
} from "./backup_helpers.ts";

const T0 = Date.UTC(2026, 10, 22, 4, 15, 0);

function players(db: DatabaseSync): number {
  return (db.prepare("SELECT count(*) AS n FROM players").get() as { n: number }).n;
}

describe("restore inside the running instance", () => {
  it("pauses, swaps and reopens the store: data equals the backup, the pre-restore backup holds what was replaced", async () => {
    const dataDir = await tempDir();
    const store = openStore(join(dataDir, "blitz.db"));
    seedPlayers(store, 0, 10);
    store.setSetting("marker", "backed-up");
    const events: string[] = [];
    const clock = fakeClock(T0);
    const service = createBackupService({ dataDir, store, clock }, {
      beforeSwap: () => {
        events.push(`before (store open: ${store.isOpen})`);
      },
      afterSwap: () => {
        events.push(`after (store open: ${store.isOpen})`);
      },
    });
    try {
      const backup = await service.backup();
      // Change the data after the backup.
      seedPlayers(store, 10, 5);
      store.setSetting("marker", "changed");
      clock.advance(60_000);

      const result = await service.restore(backup.entry.file);
      expect(events).toEqual(["before (store open: true)", "after (store open: true)"]);
      expect(store.isOpen).toBe(true);
      expect(store.getSetting("marker")).toBe("backed-up");
      expect(players(store.db)).toBe(10);
      expect(result.restored.rowCounts.players).toBe(10);
      expect(result.preRestore?.kind).toBe("pre-restore");
      expect(result.preRestore?.rowCounts.players).toBe(15);
      const pre = new DatabaseSync(join(dataDir, "backups", result.preRestore!.file), {
        readOnly: true,
      });
      expect(
        (pre.prepare("SELECT value FROM settings WHERE key = 'marker'").get() as { value: string })
          .value,
      ).toBe(
        "changed",
      );
      pre.close();
      // The store still writes after the swap.
      store.setSetting("after", "yes");
      expect(store.getSetting("after")).toBe("yes");
    } finally {
      store.close();
    }
  });

  it("refuses a backup from a newer schema and changes nothing", async () => {
    const dataDir = await tempDir();
    const store = openStore(join(dataDir, "blitz.db"));
    seedPlayers(store, 0, 3);
    const newer = join(dataDir, "blitz-newer.db");
    const other = openDatabase(newer);
    other.db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    other.db.close();
    let paused = false;
    const service = createBackupService({ dataDir, store }, {
      beforeSwap: () => void (paused = true),
    });
    try {
      const before = dirChecksums(dataDir, (n) => n.startsWith("blitz.db"));
      const error = await service.restore(newer).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidBackupError);
      expect(error.reason).toBe("newer-schema");
      expect(error.message).toContain(
        `schema version ${
          LATEST_SCHEMA_VERSION + 1
        }, newer than this Blitz knows (${LATEST_SCHEMA_VERSION})`,
      );
      expect(paused).toBe(false);
      expect(players(store.db)).toBe(3);
      expect(dirChecksums(dataDir, (n) => n.startsWith("blitz.db"))).toEqual(before);
    } finally {
      store.close();
    }
  });
});

describe("restore from the command line's side (no store)", () => {
  it("migrates a backup from an older schema when it is opened", async () => {
    const { dataDir, dbPath } = await seededDataDir(4);
    const old = join(dataDir, "blitz-old.db");
    const v1 = openDatabase(old, { migrations: MIGRATIONS.slice(0, 1) });
    v1.db.exec("INSERT INTO settings (key, value) VALUES ('marker', 'from v1')");
    v1.db.close();
    const result = await createBackupService({ dataDir }).restore(old);
    expect(result.migratedFrom).toBe(1);
    expect(result.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const db = new DatabaseSync(dbPath, { readOnly: true });
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(
      LATEST_SCHEMA_VERSION,
    );
    expect(players(db)).toBe(0); // migration 2 created the table
    db.close();
  });

  it("keeps the commits that only live in the old database's WAL in the pre-restore backup, and drops the old WAL", async () => {
    const { dataDir, dbPath } = await seededDataDir(5, "new");
    const backup = await createBackupService({ dataDir, clock: fakeClock(T0) }).backup();

    // A "crashed" instance: copy the files while a connection holds commits only in the WAL.
    const crashed = await tempDir();
    const live = openStore(dbPath);
    live.db.exec("PRAGMA wal_autocheckpoint = 0");
    live.setSetting("marker", "only-in-wal");
    seedPlayers(live, 100, 7);
    for (const suffix of ["", "-wal"]) {
      await Deno.copyFile(`${dbPath}${suffix}`, join(crashed, `blitz.db${suffix}`));
    }
    live.close();
    expect((await Deno.stat(join(crashed, "blitz.db-wal"))).size).toBeGreaterThan(0);

    const result = await createBackupService({ dataDir: crashed }, {
      backupDir: join(crashed, "backups"),
    })
      .restore(backup.path);
    expect(await Deno.stat(join(crashed, "blitz.db-wal")).catch(() => null)).toBeNull();
    expect(await Deno.stat(join(crashed, "blitz.db-shm")).catch(() => null)).toBeNull();
    if (HAVE_SQLITE3) {
      expect(sqlite3(join(crashed, "blitz.db"), "PRAGMA integrity_check")).toBe("ok");
      expect(markerAndCount(join(crashed, "blitz.db"))).toEqual({ marker: "new", players: 5 });
      expect(markerAndCount(join(crashed, "backups", result.preRestore!.file))).toEqual({
        marker: "only-in-wal",
        players: 12,
      });
    }
  });

  it("refuses while another live process holds the data directory, naming its pid", async () => {
    const { dataDir } = await seededDataDir(2);
    const backup = await createBackupService({ dataDir, clock: fakeClock(T0) }).backup();
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(
        join(dataDir, "blitz.lock"),
        JSON.stringify({ pid: sleeper.pid, startTime: "", acquiredAt: "now" }),
      );
      const before = dirChecksums(dataDir);
      const error = await createBackupService({ dataDir }).restore(backup.path).catch((e) => e);
      expect(error).toBeInstanceOf(StoreLockedError);
      expect(error.message).toContain(`pid ${sleeper.pid}`);
      expect(dirChecksums(dataDir)).toEqual(before);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
  });

  it("restores into an empty data directory (disaster recovery on a new machine)", async () => {
    const { dataDir } = await seededDataDir(6, "from-old-server");
    const backup = await createBackupService({ dataDir, clock: fakeClock(T0) }).backup({
      compress: true,
    });
    const fresh = await tempDir();
    const result = await createBackupService({ dataDir: fresh }).restore(backup.path);
    expect(result.preRestore).toBeUndefined();
    expect(sha256(join(fresh, "blitz.db"))).not.toBe("");
    const store = openStore(join(fresh, "blitz.db"));
    expect(store.getSetting("marker")).toBe("from-old-server");
    store.close();
  });
});
