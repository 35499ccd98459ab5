/**
 * Backup file names: `blitz-20261122T041500Z-scheduled.db` (+ `.gz`), with an optional label
 * slug (`blitz-20261122T041500Z-manual-before-upgrade.db`). The time is UTC, so names sort by
 * age everywhere.
 */
import { BACKUP_KINDS, type BackupKind } from "./manifest.ts";

/** `20261122T041500Z` for a time in ms. */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** A label reduced to `[a-z0-9-]`, at most 40 characters ("" when nothing is left). */
export function labelSlug(label: string): string {
  return label.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** The file name of a new backup; `taken` says whether a name is already used. */
export function backupFileName(
  createdAtMs: number,
  kind: BackupKind,
  options: { label?: string; compressed?: boolean; taken?: (name: string) => boolean } = {},
): string {
  const slug = options.label ? labelSlug(options.label) : "";
  const stem = `blitz-${compactUtc(createdAtMs)}-${kind}${slug ? `-${slug}` : ""}`;
  const ext = options.compressed ? ".db.gz" : ".db";
  for (let n = 1;; n++) {
    const name = `${stem}${n === 1 ? "" : `-${n}`}${ext}`;
    if (!options.taken?.(name)) return name;
  }
}

const NAME_PATTERN = new RegExp(
  `^blitz-(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z-(${
    BACKUP_KINDS.join("|")
  })(?:-[a-z0-9-]+)?\\.db(?:\\.gz)?$`,
);

/** Reads the time and kind back from a backup file name (for files missing from the manifest). */
export function parseBackupFileName(
  name: string,
): { createdAtMs: number; kind: BackupKind } | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, kind] = match;
  const createdAtMs = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
  );
  return Number.isNaN(createdAtMs) ? undefined : { createdAtMs, kind: kind as BackupKind };
}

/** Does this look like a backup file (by name)? */
export function isBackupFileName(name: string): boolean {
  return /^blitz-.*\.db(?:\.gz)?$/.test(name);
}
