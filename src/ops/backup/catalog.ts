/**
 * The catalogue of backups in one directory: list (with checksum comparison), verify (one or
 * all, recorded in the manifest), prune (by the retention rule), and resolving the names users
 * give. Used by the backup service; heavy checks run through the job runner (a Worker).
 */
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";
import { LATEST_SCHEMA_VERSION } from "../../store/mod.ts";
import { ManifestError } from "./errors.ts";
import { fsyncDir, removeQuietly, sha256File, sizeOf } from "./files.ts";
import type { ExpectedBackup } from "./jobs.ts";
import { type BackupEntry, readManifest, updateManifest } from "./manifest.ts";
import { isBackupFileName, parseBackupFileName } from "./naming.ts";
import { planRetention } from "./retention.ts";
import type { JobRunner } from "./runner.ts";
import type { BackupListing, ListedBackup, PruneResult, VerifyReport } from "./types.ts";

/** What the catalogue works with. */
export interface CatalogContext {
  backupDir: string;
  clock: Clock;
  logger: Logger;
  runner: JobRunner;
  retention: { keep: number; keepDays: number; timeZone: string };
}

/** Creates the catalogue of `ctx.backupDir`. */
export function createCatalog(ctx: CatalogContext) {
  const { backupDir, clock, logger, runner } = ctx;
  const settings = ctx.retention;

  /** Checksums already computed, by path, valid while size and mtime stay the same. */
  const checksumCache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();
  const cachedSha256 = async (path: string): Promise<string> => {
    const stat = await Deno.stat(path);
    const mtimeMs = stat.mtime?.getTime() ?? -1;
    const cached = checksumCache.get(path);
    if (cached && cached.size === stat.size && cached.mtimeMs === mtimeMs && mtimeMs !== -1) {
      return cached.sha256;
    }
    const sha256 = await sha256File(path);
    checksumCache.set(path, { size: stat.size, mtimeMs, sha256 });
    return sha256;
  };

  const resolveFile = (file: string): string => {
    if (isAbsolute(file)) return file;
    if (!file.includes("/") && sizeOf(file) === undefined) return join(backupDir, file);
    return resolve(file);
  };

  const findEntry = (path: string): BackupEntry | undefined => {
    try {
      return readManifest(dirname(path)).backups.find((e) => e.file === basename(path));
    } catch {
      return undefined;
    }
  };

  const expectedOf = (entry?: BackupEntry): ExpectedBackup | undefined =>
    entry
      ? { sha256: entry.sha256, schemaVersion: entry.schemaVersion, rowCounts: entry.rowCounts }
      : undefined;

  const verify = async (
    file: string,
    verifyOptions: { record?: boolean } = {},
  ): Promise<VerifyReport> => {
    const path = resolveFile(file);
    const entry = findEntry(path);
    const result = await runner({
      op: "verify",
      path,
      scratchDir: dirname(path),
      knownSchema: LATEST_SCHEMA_VERSION,
      expected: expectedOf(entry),
    });
    if (entry && (verifyOptions.record ?? true)) {
      try {
        await updateManifest(dirname(path), (manifest) => {
          const found = manifest.backups.find((e) => e.file === entry.file);
          if (found) {
            found.verified = {
              at: new Date(clock.now()).toISOString(),
              ok: result.ok,
              problems: result.problems,
            };
          }
        });
      } catch (error) {
        logger.warn("Cannot record the verification of {file}: {error}", {
          file: entry.file,
          error,
        });
      }
    }
    if (!result.ok) {
      logger.error("Backup {path} failed verification: {problems}", {
        path,
        problems: result.problems,
      });
    }
    return {
      path,
      entry,
      result,
      ...(entry || !result.ok ? {} : {
        note: `"${
          basename(path)
        }" has no entry in a manifest beside it: the checksum and row counts were not compared`,
      }),
    };
  };

  const list = async (listOptions: { checksums?: boolean } = {}): Promise<BackupListing> => {
    let entries: BackupEntry[] = [];
    let manifestProblem: string | undefined;
    try {
      entries = readManifest(backupDir).backups;
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      manifestProblem = error.message;
    }
    const now = clock.now();
    const listed: ListedBackup[] = [];
    for (const entry of entries) {
      const path = join(backupDir, entry.file);
      const created = Date.parse(entry.createdAt);
      const item: ListedBackup = {
        file: entry.file,
        path,
        kind: entry.kind,
        ...(entry.label ? { label: entry.label } : {}),
        createdAt: entry.createdAt,
        ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
        sizeBytes: entry.sizeBytes,
        state: entry.verified.ok ? "verified" : "failed",
        verifiedAt: entry.verified.at,
        entry,
      };
      if (!entry.verified.ok) item.detail = entry.verified.problems.join("; ");
      const size = sizeOf(path);
      if (size === undefined) {
        item.state = "missing";
        item.detail = "the file is gone";
      } else if (size !== entry.sizeBytes) {
        item.state = "damaged";
        item.detail = `size is ${size} bytes, the manifest recorded ${entry.sizeBytes}`;
      } else if (listOptions.checksums ?? true) {
        const sha = await cachedSha256(path);
        if (sha !== entry.sha256) {
          item.state = "damaged";
          item.detail = "the file changed since the backup was made (checksum differs)";
        }
      }
      listed.push(item);
    }
    const recorded = new Set(entries.map((e) => e.file));
    let dirEntries: Deno.DirEntry[] = [];
    try {
      dirEntries = [...Deno.readDirSync(backupDir)];
    } catch { /* no backups directory yet */ }
    for (const dirEntry of dirEntries) {
      if (!dirEntry.isFile || !isBackupFileName(dirEntry.name) || recorded.has(dirEntry.name)) {
        continue;
      }
      const path = join(backupDir, dirEntry.name);
      const stat = Deno.statSync(path);
      const parsed = parseBackupFileName(dirEntry.name);
      const created = parsed?.createdAtMs ?? stat.mtime?.getTime() ?? now;
      listed.push({
        file: dirEntry.name,
        path,
        kind: parsed?.kind ?? "unknown",
        createdAt: new Date(created).toISOString(),
        ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
        sizeBytes: stat.size,
        state: "unrecorded",
        detail: "not in the manifest: run `blitz backup verify` on it before trusting it",
      });
    }
    listed.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
    return { dir: backupDir, backups: listed, ...(manifestProblem ? { manifestProblem } : {}) };
  };

  const verifyAll = async (): Promise<VerifyReport[]> => {
    const entries = readManifest(backupDir).backups;
    const reports: VerifyReport[] = [];
    for (const entry of entries) reports.push(await verify(join(backupDir, entry.file)));
    return reports;
  };

  const prune = async (
    pruneOptions: { dryRun?: boolean; allKinds?: boolean } = {},
  ): Promise<PruneResult> => {
    const entries = readManifest(backupDir).backups;
    const plan = planRetention(
      entries.map((e) => ({ file: e.file, kind: e.kind, createdAtMs: Date.parse(e.createdAt) })),
      {
        keep: settings.keep,
        keepDays: settings.keepDays,
        timeZone: settings.timeZone,
        allKinds: !!pruneOptions.allKinds,
      },
      clock.now(),
    );
    const removed: string[] = [];
    if (!pruneOptions.dryRun && plan.prune.length > 0) {
      const going = new Set(plan.prune.map((p) => p.file));
      // Forget them in the manifest first: a crash in between leaves unrecorded files, never entries without files.
      await updateManifest(backupDir, (manifest) => {
        manifest.backups = manifest.backups.filter((e) => !going.has(e.file));
      });
      for (const file of going) {
        removeQuietly(join(backupDir, file));
        removed.push(file);
      }
      fsyncDir(backupDir);
      logger.info("Pruned {count} backups: {files}", { count: removed.length, files: removed });
    }
    return { plan, removed, dryRun: !!pruneOptions.dryRun };
  };

  return { resolveFile, findEntry, verify, list, verifyAll, prune };
}
