/**
 * The log files in `<data>/logs/`: reading the last lines of `blitz.log` (JSON lines) for
 * `/api/logs`, and deleting rotated files older than `LOG_RETENTION_DAYS` for maintenance.
 */
import { join } from "node:path";

/** The current log file of a data directory. */
export function logFilePath(dataDir: string): string {
  return join(dataDir, "logs", "blitz.log");
}

/**
 * The last `count` lines of a file, reading at most `maxBytes` from its end. Lines that are
 * JSON are parsed; others are returned as `{message: line}`. A missing file gives [].
 */
export function tailJsonLines(
  path: string,
  count: number,
  maxBytes = 1024 * 1024,
): Record<string, unknown>[] {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  try {
    const size = file.statSync().size;
    const start = Math.max(0, size - maxBytes);
    file.seekSync(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(size - start);
    let read = 0;
    while (read < buffer.length) {
      const n = file.readSync(buffer.subarray(read));
      if (n === null || n === 0) break;
      read += n;
    }
    let text = new TextDecoder().decode(buffer.subarray(0, read));
    if (start > 0) text = text.slice(text.indexOf("\n") + 1); // drop a partial first line
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    return lines.slice(-count).map((line) => {
      try {
        const value = JSON.parse(line);
        return value && typeof value === "object" ? value : { message: line };
      } catch {
        return { message: line };
      }
    });
  } finally {
    file.close();
  }
}

/**
 * Deletes files in `logDir` last written before `beforeMs`, except the current `blitz.log`.
 * Returns the names deleted.
 */
export function pruneLogFiles(logDir: string, beforeMs: number): string[] {
  const deleted: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(logDir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return deleted;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile || entry.name === "blitz.log") continue;
    const path = join(logDir, entry.name);
    const mtime = Deno.statSync(path).mtime?.getTime();
    if (mtime !== undefined && mtime < beforeMs) {
      Deno.removeSync(path);
      deleted.push(entry.name);
    }
  }
  return deleted.sort();
}
