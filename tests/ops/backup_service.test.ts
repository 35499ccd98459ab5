import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import client from "prom-client";
import {
  BackupFailedError,
  BackupInProgressError,
  createBackupService,
  createJobRunner,
  type JobRunner,
  type OffsiteFailure,
} from "../../src/ops/backup/mod.ts";
import { JobError, type SnapshotJob } from "../../src/ops/backup/jobs.ts";
import { readManifest } from "../../src/ops/backup/manifest.ts";
import { CorruptDatabaseError, LATEST_SCHEMA_VERSION, openStore } from "../../src/store/mod.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import {
  canMountTmpfs,
  dirChecksums,
  fakeClock,
  HAVE_SQLITE3,
  mountTmpfs,
  seededDataDir,
  seedPlayers,
  sha256,
  sqlite3,
} from "./backup_helpers.ts";

const T0 = Date.UTC(2026, 10, 22, 4, 15, 0);

/** Runs `work` while a 1 ms timer records the longest event-loop stall, in ms. */
async function worstStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return worst;
}

/** A runner that holds snapshots until released, to make two requests overlap deterministically. */
function gatedRunner(): { runner: JobRunner; release: () => void; started: Promise<void> } {
  const real = createJobRunner({ inline: true });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const runner = (async (job: SnapshotJob) => {
    if (job.op === "snapshot") {
      markStarted();
      await gate;
    }
    return await real(job);
  }) as unknown as JobRunner;
  return { runner, release, started };
}

describe("backup service: making backups", () => {
  it("writes a verified snapshot with a manifest entry whose checksum and row counts match the file", async () => {
    const { dataDir } = await seededDataDir(25);
    const clock = fakeClock(T0);
    const service = createBackupService({ dataDir, clock });
    const { path, entry } = await service.backup({ label: "Before the Upgrade!" });

    expect(path).toBe(
      join(dataDir, "backups", "blitz-20261122T041500Z-manual-before-the-upgrade.db"),
    );
    expect(entry).toMatchObject({
      kind: "manual",
      label: "Before the Upgrade!",
      createdAt: "2026-11-22T04:15:00.000Z",
      schemaVersion: LATEST_SCHEMA_VERSION,
      compressed: false,
      verified: { ok: true, problems: [] },
    });
    expect(entry.rowCounts).toMatchObject({ players: 25, games: 25, settings: 1 });
    expect(entry.sha256).toBe(sha256(path));
    expect(entry.sizeBytes).toBe((await Deno.stat(path)).size);
    expect(readManifest(join(dataDir, "backups")).backups).toEqual([entry]);
    // Only the backup and its manifest: no temporary file left behind.
    expect([...Deno.readDirSync(join(dataDir, "backups"))].map((e) => e.name).sort()).toEqual([
      "blitz-20261122T041500Z-manual-before-the-upgrade.db",
      "manifest.json",
    ]);
    expect(await Deno.stat(join(dataDir, "backup.lock")).catch(() => null)).toBeNull();
    if (HAVE_SQLITE3) {
      expect(sqlite3(path, "PRAGMA integrity_check")).toBe("ok");
      expect(sqlite3(path, "SELECT count(*) FROM players")).toBe("25");
    }
  });

  it("gzips on request; the decompressed bytes hash to the recorded database checksum", async () => {
    const { dataDir } = await seededDataDir(10);
    const service = createBackupService({ dataDir, clock: fakeClock(T0) });
    const { path, entry } = await service.backup({ compress: true, kind: "scheduled" });
    expect(path.endsWith("blitz-20261122T041500Z-scheduled.db.gz")).toBe(true);
    expect(entry.compressed).toBe(true);
    expect(entry.sha256).toBe(sha256(path));
    const gunzip = new Deno.Command("gzip", { args: ["-dc", path], stdout: "piped" }).outputSync();
    expect(gunzip.success).toBe(true);
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(gunzip.stdout).digest("hex")).toBe(entry.databaseSha256);
    expect(entry.databaseBytes).toBe(gunzip.stdout.length);
    expect((await service.verify(path)).result.ok).toBe(true);
  });

  it("gives two backups in the same second different names", async () => {
    const { dataDir } = await seededDataDir(2);
    const service = createBackupService({ dataDir, clock: fakeClock(T0) });
    const a = await service.backup();
    const b = await service.backup();
    expect(a.entry.file).toBe("blitz-20261122T041500Z-manual.db");
    expect(b.entry.file).toBe("blitz-20261122T041500Z-manual-2.db");
  });

  it("keeps the event loop turning: the snapshot runs in a Worker, not on the main thread", async () => {
    const dataDir = await tempDir();
    const store = openStore(join(dataDir, "blitz.db"));
    store.transaction(() => {
      const insert = store.prepare("INSERT INTO settings (key, value) VALUES (?, ?)");
      const blob = "x".repeat(2000);
      for (let i = 0; i < 15_000; i++) insert.run(`k${i}`, blob + i);
    });
    store.close();
    const inWorker = createBackupService({ dataDir }, { backupDir: join(dataDir, "w") });
    const onMain = createBackupService({ dataDir, runner: createJobRunner({ inline: true }) }, {
      backupDir: join(dataDir, "m"),
    });
    const mainStall = await worstStall(() => onMain.backup());
    // Best of three: a busy test machine (other test files run alongside) can delay a timer on
    // its own.
    const workerStall = Math.min(
      await worstStall(() => inWorker.backup()),
      await worstStall(() => inWorker.backup()),
      await worstStall(() => inWorker.backup()),
    );
    // ~30 MB: snapshot + integrity_check + row counts block the main thread for well over 100 ms.
    expect(mainStall).toBeGreaterThan(100);
    expect(workerStall).toBeLessThan(Math.min(80, mainStall / 3));
  });

  it("refuses a second backup while one is running (409 at the API), and takes the next one after", async () => {
    const { dataDir } = await seededDataDir(5);
    const gated = gatedRunner();
    const service = createBackupService({ dataDir, runner: gated.runner, clock: fakeClock(T0) });
    const first = service.backup();
    await gated.started;
    await expect(service.backup()).rejects.toBeInstanceOf(BackupInProgressError);
    expect(service.status().inProgress).toBe("backup");
    gated.release();
    await first;
    await expect(service.backup()).resolves.toMatchObject({ entry: { kind: "manual" } });
  });

  it("refuses a backup while another process is backing up the same database, naming its pid", async () => {
    const { dataDir } = await seededDataDir(5);
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(
        join(dataDir, "backup.lock"),
        JSON.stringify({
          pid: sleeper.pid,
          startTime: "",
          acquiredAt: new Date().toISOString(),
          what: "backup",
        }),
      );
      const service = createBackupService({ dataDir });
      const error = await service.backup().catch((e) => e);
      expect(error).toBeInstanceOf(BackupInProgressError);
      expect(error.message).toContain(`pid ${sleeper.pid}`);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
    // The owner is gone: its lock is stale and taken over.
    await expect(createBackupService({ dataDir }).backup()).resolves.toBeDefined();
  });

  it("says there is nothing to back up when the database does not exist", async () => {
    const dataDir = await tempDir();
    const error = await createBackupService({ dataDir }).backup().catch((e) => e);
    expect(error).toBeInstanceOf(BackupFailedError);
    expect(error.message).toMatch(/There is no database at .*blitz\.db.* to back up/);
  });

  it("says the destination is not writable, and leaves nothing behind", async () => {
    const { dataDir } = await seededDataDir(5);
    const before = dirChecksums(dataDir);
    await Deno.writeTextFile(join(dataDir, "a-file"), "x");
    const service = createBackupService({ dataDir }, {
      backupDir: join(dataDir, "a-file", "backups"),
    });
    const error = await service.backup().catch((e) => e);
    expect(error).toBeInstanceOf(BackupFailedError);
    expect(error.message).toMatch(
      /^Cannot write backups to ".*a-file\/backups": .*\(make it writable/,
    );
    await Deno.remove(join(dataDir, "a-file"));
    expect(dirChecksums(dataDir)).toEqual(before);
  });

  it("refuses to back up a corrupt live database as unusable (exit 3), leaving it untouched", async () => {
    const { dataDir, dbPath } = await seededDataDir(200);
    // Damage a page in the middle of the file (the header stays valid).
    const bytes = await Deno.readFile(dbPath);
    bytes.fill(0xa5, 4096 * 3, 4096 * 5);
    await Deno.writeFile(dbPath, bytes);
    const before = sha256(dbPath);
    const error = await createBackupService({ dataDir }).backup().catch((e) => e);
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(sha256(dbPath)).toBe(before);
    expect(
      [...Deno.readDirSync(join(dataDir, "backups"))].filter((e) => e.name !== "manifest.json"),
    ).toEqual([]);
  });

  it("removes the partial file when the disk fills up mid-backup (injected), leaving older backups untouched", async () => {
    const { dataDir } = await seededDataDir(5);
    const old = await createBackupService({ dataDir, clock: fakeClock(T0 - 86_400_000) }).backup();
    const backupsBefore = dirChecksums(join(dataDir, "backups"));
    let partial = "";
    const failing = (async (job: SnapshotJob) => {
      partial = job.target;
      await Deno.writeFile(job.target, new Uint8Array(8192)); // half-written snapshot
      throw new JobError("disk-full", "database or disk is full");
    }) as unknown as JobRunner;
    const error = await createBackupService({ dataDir, runner: failing, clock: fakeClock(T0) })
      .backup().catch((e) => e);
    expect(error).toBeInstanceOf(BackupFailedError);
    expect(error.message).toMatch(
      /disk holding .* is full\. The partial file was removed and older backups are untouched/,
    );
    expect(partial).not.toBe("");
    await expect(Deno.stat(partial)).rejects.toThrow(Deno.errors.NotFound);
    expect(dirChecksums(join(dataDir, "backups"))).toEqual(backupsBefore);
    expect(readManifest(join(dataDir, "backups")).backups.map((e) => e.file)).toEqual([
      old.entry.file,
    ]);
  });

  it.runIf(canMountTmpfs())(
    "survives a real ENOSPC on a tiny tmpfs: partial removed, older backups untouched",
    async () => {
      const { dataDir } = await seededDataDir(3000); // a few hundred KB
      const small = mountTmpfs("320k");
      try {
        // An old (tiny) backup already lives there: a copy of a 1-player database.
        const tinyDir = (await seededDataDir(1)).dataDir;
        const tiny = createBackupService({ dataDir: tinyDir, clock: fakeClock(T0 - 86_400_000) }, {
          backupDir: small.dir,
        });
        await tiny.backup();
        const before = dirChecksums(small.dir);
        const service = createBackupService({ dataDir, clock: fakeClock(T0) }, {
          backupDir: small.dir,
        });
        const error = await service.backup().catch((e) => e);
        expect(error).toBeInstanceOf(BackupFailedError);
        expect(error.message).toMatch(/is full/);
        expect(dirChecksums(small.dir)).toEqual(before);
      } finally {
        small.unmount();
      }
    },
  );
});

describe("backup service: list, verify, prune, metrics", () => {
  it("lists newest first and shows a backup whose bytes changed as damaged", async () => {
    const { dataDir } = await seededDataDir(5);
    const clock = fakeClock(T0);
    const service = createBackupService({ dataDir, clock });
    const older = await service.backup({ kind: "scheduled" });
    clock.advance(3_600_000);
    const newer = await service.backup();
    clock.advance(60_000);

    let listing = await service.list();
    expect(listing.backups.map((b) => [b.file, b.state, b.ageSeconds])).toEqual([
      [newer.entry.file, "verified", 60],
      [older.entry.file, "verified", 3660],
    ]);

    // Flip one byte without changing the size: only the checksum can tell.
    const bytes = await Deno.readFile(older.path);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await Deno.writeFile(older.path, bytes);
    // A stray backup-shaped file and a missing one.
    await Deno.copyFile(newer.path, join(dataDir, "backups", "blitz-20260101T000000Z-manual.db"));
    await Deno.remove(newer.path);

    listing = await service.list();
    const states = Object.fromEntries(listing.backups.map((b) => [b.file, b.state]));
    expect(states).toEqual({
      [newer.entry.file]: "missing",
      [older.entry.file]: "damaged",
      "blitz-20260101T000000Z-manual.db": "unrecorded",
    });
    expect(listing.backups.find((b) => b.state === "damaged")?.detail).toMatch(/checksum differs/);
  });

  it("verify fails on a changed checksum, on row counts that differ from the manifest, and on a truncated gzip", async () => {
    const { dataDir } = await seededDataDir(5);
    const service = createBackupService({ dataDir, clock: fakeClock(T0) });
    const plain = await service.backup();
    const gz = await service.backup({ compress: true });
    expect((await service.verify(plain.entry.file)).result.ok).toBe(true);

    // Row counts: the manifest says 6 players, the file has 5 (checksum recomputed to isolate the check).
    const manifestFile = join(dataDir, "backups", "manifest.json");
    const manifest = JSON.parse(await Deno.readTextFile(manifestFile));
    manifest.backups.find((e: { file: string }) => e.file === plain.entry.file).rowCounts.players =
      6;
    await Deno.writeTextFile(manifestFile, JSON.stringify(manifest));
    const counts = await service.verify(plain.entry.file);
    expect(counts.result).toMatchObject({ ok: false, reason: "row-counts" });
    expect(counts.result.problems[0]).toMatch(/players: 6 in the manifest, 5 in the file/);
    // The failed verification is recorded, and the list shows it.
    expect(
      readManifest(join(dataDir, "backups")).backups.find((e) => e.file === plain.entry.file)
        ?.verified.ok,
    ).toBe(
      false,
    );

    // A truncated gzip, re-recorded with its new checksum so only the content is wrong.
    const bytes = await Deno.readFile(gz.path);
    await Deno.writeFile(gz.path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const m2 = JSON.parse(await Deno.readTextFile(manifestFile));
    m2.backups.find((e: { file: string }) => e.file === gz.entry.file).sha256 = sha256(gz.path);
    await Deno.writeTextFile(manifestFile, JSON.stringify(m2));
    const truncated = await service.verify(gz.entry.file);
    expect(truncated.result).toMatchObject({ ok: false, reason: "truncated" });
    // No temporary decompressed copy is left.
    expect([...Deno.readDirSync(join(dataDir, "backups"))].some((e) => e.name.startsWith(".")))
      .toBe(false);
  });

  it("prunes by the rule, deleting files and manifest entries; --dry-run deletes nothing", async () => {
    const { dataDir } = await seededDataDir(2);
    const clock = fakeClock(T0);
    const service = createBackupService({ dataDir, clock }, { keep: 2, keepDays: 0 });
    const made = [];
    for (let i = 0; i < 4; i++) {
      made.push(await service.backup({ kind: "scheduled" }));
      clock.advance(3_600_000);
    }
    const manual = await service.backup({ kind: "manual" });
    const dry = await service.prune({ dryRun: true });
    expect(dry.plan.prune.map((p) => p.file)).toEqual([made[1]!.entry.file, made[0]!.entry.file]);
    expect(dry.removed).toEqual([]);
    expect((await service.list()).backups).toHaveLength(5);

    const real = await service.prune();
    expect(real.removed.sort()).toEqual([made[0]!.entry.file, made[1]!.entry.file].sort());
    await expect(Deno.stat(made[0]!.path)).rejects.toThrow(Deno.errors.NotFound);
    expect(readManifest(join(dataDir, "backups")).backups.map((e) => e.file)).toEqual([
      manual.entry.file,
      made[3]!.entry.file,
      made[2]!.entry.file,
    ]);
    const all = await service.prune({ allKinds: true });
    expect(all.removed).toEqual([]); // the manual one is the newest of its own series
  });

  it("keeps a damaged manifest aside and starts a new one, so a backup is never blocked by it", async () => {
    const { dataDir } = await seededDataDir(2);
    await Deno.mkdir(join(dataDir, "backups"), { recursive: true });
    await Deno.writeTextFile(join(dataDir, "backups", "manifest.json"), "{ not json");
    const service = createBackupService({ dataDir, clock: fakeClock(T0) });
    const listing = await service.list();
    expect(listing.manifestProblem).toMatch(/not valid JSON/);
    const { entry } = await service.backup();
    expect(readManifest(join(dataDir, "backups")).backups.map((e) => e.file)).toEqual([entry.file]);
    const names = [...Deno.readDirSync(join(dataDir, "backups"))].map((e) => e.name);
    expect(names.some((n) => n.startsWith("manifest.json.damaged-"))).toBe(true);
  });

  it("registers its metrics and reports the age of the newest verified backup from the injected clock", async () => {
    const { dataDir } = await seededDataDir(2);
    const registry = new client.Registry();
    const clock = fakeClock(T0);
    const service = createBackupService({ dataDir, clock, registry });
    let text = await registry.metrics();
    expect(text).toMatch(/^blitz_backup_last_verified_age_seconds \+Inf$/m);
    expect(text).toMatch(/^blitz_backup_last_success_timestamp_seconds 0$/m);

    const { entry } = await service.backup();
    clock.advance(90_000);
    text = await registry.metrics();
    expect(text).toMatch(/^blitz_backup_last_verified_age_seconds 90$/m);
    expect(text).toContain(`blitz_backup_last_success_timestamp_seconds ${T0 / 1000}`);
    expect(text).toContain(`blitz_backup_size_bytes ${entry.sizeBytes}`);
    expect(text).toMatch(/^blitz_backups_total\{outcome="success"\} 1$/m);
    expect(text).toMatch(/^blitz_backup_duration_seconds_count\{outcome="success"\} 1$/m);

    // A failed verification no longer counts: the age falls back to "none".
    const bytes = await Deno.readFile(join(dataDir, "backups", entry.file));
    bytes[200] = bytes[200]! ^ 0xff;
    await Deno.writeFile(join(dataDir, "backups", entry.file), bytes);
    await service.verify(entry.file);
    expect(await registry.metrics()).toMatch(/^blitz_backup_last_verified_age_seconds \+Inf$/m);
    await Deno.remove(join(dataDir, "blitz.db"));
    await service.backup().catch(() => {});
    expect(await registry.metrics()).toMatch(/^blitz_backups_total\{outcome="failure"\} 1$/m);
  });

  it("copies to BACKUP_COPY_DIR, runs BACKUP_POST_COMMAND, and reports a failing one to the hook and the metric", async () => {
    const { dataDir } = await seededDataDir(2);
    const copyDir = await tempDir();
    const registry = new client.Registry();
    const failures: OffsiteFailure[] = [];
    const service = createBackupService({ dataDir, registry, clock: fakeClock(T0) }, {
      copyDir,
      postCommand: `"${Deno.execPath()}" eval "Deno.exit(Deno.args.length === 0 ? 9 : 3)" {file}`,
      onPostCommandFailed: (failure) => failures.push(failure),
    });
    const outcome = await service.backup();
    const records = await outcome.offsite;
    expect(records.map((r) => [r.target, r.ok])).toEqual([["copy_dir", true], [
      "post_command",
      false,
    ]]);
    expect(records[1]!.exitCode).toBe(3);
    expect(sha256(join(copyDir, outcome.entry.file))).toBe(outcome.entry.sha256);
    expect(JSON.parse(await Deno.readTextFile(join(copyDir, "manifest.json"))).backups[0].file)
      .toBe(outcome.entry.file);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.record.exitCode).toBe(3);
    expect(failures[0]!.entry.file).toBe(outcome.entry.file);
    expect(await registry.metrics()).toMatch(
      /^blitz_backup_offsite_failures_total\{target="post_command"\} 1$/m,
    );
    expect(readManifest(join(dataDir, "backups")).backups[0]!.offsite?.map((r) => r.ok)).toEqual([
      true,
      false,
    ]);
  });

  it("backs up a database that a live connection is writing in WAL mode, including uncheckpointed commits", async () => {
    const dataDir = await tempDir();
    const store = openStore(join(dataDir, "blitz.db"));
    try {
      store.db.exec("PRAGMA wal_autocheckpoint = 0");
      seedPlayers(store, 0, 50);
      expect((await Deno.stat(join(dataDir, "blitz.db-wal"))).size).toBeGreaterThan(0);
      const { path, entry } = await createBackupService({ dataDir }).backup();
      expect(entry.rowCounts.players).toBe(50);
      const copy = new DatabaseSync(path, { readOnly: true });
      expect((copy.prepare("SELECT count(*) AS n FROM games").get() as { n: number }).n).toBe(50);
      copy.close();
    } finally {
      store.close();
    }
  });
});
