/**
 * The manifest beside the backups (`<backups>/manifest.json`): one entry per backup with
 * its kind, checksum, schema version, row counts, size and last verification. It is written
 * atomically under a short lock, so `blitz backup` and a running instance can share it.
 */
import { join } from "node:path";
import { ManifestError } from "./errors.ts";
import { removeQuietly, withPidLock, writeFileAtomic } from "./files.ts";

/** Why a backup was made. Only `scheduled` backups are pruned by the normal retention rule. */
export type BackupKind = "manual" | "scheduled" | "pre-restore" | "pre-tournament";

/** Every kind, in the order help text lists them. */
export const BACKUP_KINDS: readonly BackupKind[] = [
  "manual",
  "scheduled",
  "pre-restore",
  "pre-tournament",
];

/** The outcome of one verification. */
export interface VerifyRecord {
  /** ISO time of the check. */
  at: string;
  ok: boolean;
  problems: string[];
}

/** The outcome of one off-site step after a backup. */
export interface OffsiteRecord {
  target: "copy_dir" | "post_command";
  ok: boolean;
  at: string;
  durationMs: number;
  /** The command's exit code (post_command). */
  exitCode?: number;
  /** What went wrong, or where the copy went. */
  message?: string;
}

/** One backup as the manifest records it. */
export interface BackupEntry {
  /** File name inside the backups directory. */
  file: string;
  kind: BackupKind;
  label?: string;
  /** ISO time the snapshot was taken. */
  createdAt: string;
  schemaVersion: number;
  /** Rows per table at the time of the snapshot. */
  rowCounts: Record<string, number>;
  /** Bytes of the file as stored (compressed when `compressed`). */
  sizeBytes: number;
  /** Bytes of the database itself (after decompressing). */
  databaseBytes: number;
  /** SHA-256 of the file as stored. */
  sha256: string;
  /** SHA-256 of the database bytes (equals `sha256` when not compressed). */
  databaseSha256: string;
  compressed: boolean;
  durationMs: number;
  blitzVersion: string;
  /** The last verification (the first is the one made when the backup was written). */
  verified: VerifyRecord;
  offsite?: OffsiteRecord[];
}

/** The manifest file's content. */
export interface Manifest {
  format: "blitz-backups";
  version: 1;
  backups: BackupEntry[];
}

/** Name of the manifest file inside a backups directory. */
export const MANIFEST_FILE = "manifest.json";

function emptyManifest(): Manifest {
  return { format: "blitz-backups", version: 1, backups: [] };
}

/** Path of the manifest of a backups directory. */
export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

/** Reads the manifest of `dir`; a missing one is empty, an unreadable one throws {@link ManifestError}. */
export function readManifest(dir: string): Manifest {
  const path = manifestPath(dir);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return emptyManifest();
    throw new ManifestError(path, (error as Error).message, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(path, `it is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const manifest = value as Partial<Manifest>;
  if (manifest?.format !== "blitz-backups" || !Array.isArray(manifest.backups)) {
    throw new ManifestError(path, "it is not a Blitz backup manifest");
  }
  return { format: "blitz-backups", version: 1, backups: manifest.backups };
}

/**
 * Changes the manifest of `dir` under its lock and writes it atomically. An unreadable
 * manifest is kept aside as `manifest.json.damaged-<time>` and a new one started, so a
 * broken manifest never stops a backup from being recorded.
 */
export async function updateManifest(
  dir: string,
  change: (manifest: Manifest) => void,
  onDamaged?: (error: ManifestError, keptAs: string) => void,
): Promise<Manifest> {
  return await withPidLock(join(dir, ".manifest.lock"), "manifest update", () => {
    let manifest: Manifest;
    try {
      manifest = readManifest(dir);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      const keptAs = `${manifestPath(dir)}.damaged-${
        new Date().toISOString().replace(/[:.]/g, "")
      }`;
      Deno.renameSync(manifestPath(dir), keptAs);
      onDamaged?.(error, keptAs);
      manifest = emptyManifest();
    }
    change(manifest);
    manifest.backups.sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt) || a.file.localeCompare(b.file)
    );
    writeFileAtomic(manifestPath(dir), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  });
}

/** Removes leftovers of interrupted work (`.tmp-*`, `.verify-*` files of dead processes). */
export function removeStaleTempFiles(
  dir: string,
  isAlive: (pid: number) => boolean,
  /** Only names starting with this (e.g. `.blitz.db.partial-` in the data directory). */
  prefix = ".",
): string[] {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const match = /^\..*\.(?:tmp|verify|partial)-(\d+)(?:-\w+)?$/.exec(entry.name);
    if (!entry.isFile || !match || !entry.name.startsWith(prefix)) continue;
    if (isAlive(Number(match[1]))) continue;
    removeQuietly(join(dir, entry.name));
    removed.push(entry.name);
  }
  return removed;
}
