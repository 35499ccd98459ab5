/**
 * Admin API for backups (the dashboard and `/admin backup` call these):
 * `GET /api/backups`, `POST /api/backups` {label?, compress?, kind?} → 201 with the manifest
 * entry, `POST /api/backups/verify` {file} | {all: true}, and `POST /api/restore`
 * {file, confirm: true}, which pauses the app, swaps the database and reopens it.
 */
import type { Hono } from "hono";
import { basename } from "node:path";
import {
  BackupFailedError,
  BackupInProgressError,
  type BackupKind,
  type BackupService,
  InvalidBackupError,
  type ListedBackup,
} from "../ops/backup/mod.ts";
import { StoreLockedError } from "../ops/lock.ts";
import { CorruptDatabaseError, NewerSchemaError } from "../store/mod.ts";
import { ApiError, type ApiRouteGroup, readJson } from "./api.ts";

const REQUESTABLE_KINDS: readonly BackupKind[] = ["manual", "scheduled", "pre-tournament"];

/** Maps the backup service's errors to API answers. */
function toApiError(error: unknown): unknown {
  if (error instanceof BackupInProgressError || error instanceof StoreLockedError) {
    return new ApiError(409, "backup_in_progress", error.message);
  }
  if (error instanceof InvalidBackupError) {
    return new ApiError(422, "invalid_backup", error.message);
  }
  if (error instanceof CorruptDatabaseError || error instanceof NewerSchemaError) {
    return new ApiError(503, "database_unusable", error.message);
  }
  if (error instanceof BackupFailedError) return new ApiError(500, "backup_failed", error.message);
  return error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toApiError(error);
  }
}

/** A file name from a request: a plain name in the backups directory, nothing else. */
function backupName(value: unknown, service: BackupService): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ApiError(
      400,
      "bad_request",
      '"file" must be the name of a backup, e.g. "blitz-20261122T041500Z-manual.db"',
    );
  }
  const name = value.startsWith(`${service.backupDir}/`)
    ? value.slice(service.backupDir.length + 1)
    : value;
  if (name !== basename(name) || name.startsWith(".") || !/\.db(\.gz)?$/.test(name)) {
    throw new ApiError(
      400,
      "bad_request",
      `"file" must be the name of a backup in the backups directory (a .db or .db.gz file), got "${value}"`,
    );
  }
  try {
    Deno.statSync(`${service.backupDir}/${name}`);
  } catch {
    throw new ApiError(
      404,
      "not_found",
      `There is no backup "${name}" in the backups directory (see GET /api/backups)`,
    );
  }
  return name;
}

function publicListing(backup: ListedBackup) {
  const { entry: _entry, ...rest } = backup;
  return rest;
}

/** Records an admin action (the audit log); `by` names who asked, from the request body. */
export type BackupAudit = (
  entry: { action: string; target?: string; detail?: string; outcome: "ok" | "error"; by?: string },
) => void;

/** Runs `work`, auditing its outcome either way. */
async function audited<T>(
  audit: BackupAudit | undefined,
  entry: { action: string; target?: string; by?: string },
  work: () => Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  try {
    const result = await work();
    audit?.({ ...entry, detail: describe(result), outcome: "ok" });
    return result;
  } catch (error) {
    audit?.({ ...entry, detail: (error as Error).message, outcome: "error" });
    throw error;
  }
}

/** The backup routes, mounted under `/api` behind the admin token. */
export function createBackupApiGroup(service: BackupService, audit?: BackupAudit): ApiRouteGroup {
  return (api: Hono) => {
    api.get("/backups", async (c) => {
      const listing = await service.list();
      const status = service.status();
      return c.json({
        dir: listing.dir,
        inProgress: status.inProgress ?? null,
        lastVerifiedAgeSeconds: status.newestVerified?.ageSeconds ?? null,
        ...(listing.manifestProblem ? { manifestProblem: listing.manifestProblem } : {}),
        backups: listing.backups.map(publicListing),
      });
    });

    api.post("/backups", async (c) => {
      const body = await readJson<{ label?: unknown; compress?: unknown; kind?: unknown }>(c);
      if (body.label !== undefined && (typeof body.label !== "string" || body.label.length > 200)) {
        throw new ApiError(
          400,
          "bad_request",
          '"label" must be a string of at most 200 characters',
        );
      }
      if (body.compress !== undefined && typeof body.compress !== "boolean") {
        throw new ApiError(400, "bad_request", '"compress" must be true or false');
      }
      if (body.kind !== undefined && !REQUESTABLE_KINDS.includes(body.kind as BackupKind)) {
        throw new ApiError(
          400,
          "bad_request",
          `"kind" must be one of ${REQUESTABLE_KINDS.join(", ")}`,
        );
      }
      const by = typeof (body as { by?: unknown }).by === "string"
        ? (body as { by: string }).by
        : undefined;
      const outcome = await audited(
        audit,
        { action: "backup", by },
        () =>
          guarded(() =>
            service.backup({
              kind: (body.kind as BackupKind | undefined) ?? "manual",
              ...(body.label ? { label: body.label as string } : {}),
              ...(body.compress !== undefined ? { compress: body.compress as boolean } : {}),
            })
          ),
        (result) => `backup ${result.entry.file} written (${result.entry.sizeBytes} bytes)`,
      );
      // Off-site steps go on in the background; their outcome lands in the manifest.
      outcome.offsite.catch(() => {});
      // `state` as in GET /api/backups: a new backup has just passed its verification.
      return c.json({ path: outcome.path, ...outcome.entry, state: "verified" }, 201);
    });

    api.post("/backups/verify", async (c) => {
      const body = await readJson<{ file?: unknown; all?: unknown }>(c);
      if ((body.file === undefined) === (body.all !== true)) {
        throw new ApiError(400, "bad_request", 'Send either {"file": NAME} or {"all": true}');
      }
      const reports = await guarded(async () =>
        body.all === true
          ? await service.verifyAll()
          : [await service.verify(backupName(body.file, service))]
      );
      return c.json({
        ok: reports.every((r) => r.result.ok),
        reports: reports.map((r) => ({
          file: basename(r.path),
          ...r.result,
          ...(r.note ? { note: r.note } : {}),
        })),
      });
    });

    api.post("/restore", async (c) => {
      const body = await readJson<{ file?: unknown; confirm?: unknown }>(c);
      const file = backupName(body.file, service);
      if (body.confirm !== true) {
        throw new ApiError(
          400,
          "confirmation_required",
          'A restore replaces the whole database: send {"file": NAME, "confirm": true}',
        );
      }
      const by = typeof (body as { by?: unknown }).by === "string"
        ? (body as { by: string }).by
        : undefined;
      const result = await audited(
        audit,
        { action: "restore", target: file, by },
        () => guarded(() => service.restore(file)),
        () => `database restored from ${file}`,
      ).catch((error) => {
        if (error instanceof ApiError) throw error;
        throw new ApiError(500, "restore_failed", (error as Error).message);
      });
      return c.json(result);
    });
  };
}
