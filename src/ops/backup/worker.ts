/**
 * The backup Worker: runs one {@link BackupJob} per message with its own SQLite connection, so
 * `VACUUM INTO`, `integrity_check`, hashing and gzip never block the bot's event loop. Must be
 * listed with `--include` in `build.ts`: `deno compile` does not see Worker entry points.
 */
import { type BackupJob, classifyError, JobError } from "./jobs.ts";
import { runJobInline } from "./runner.ts";

/** A message the worker answers with. */
export type WorkerReply =
  | { ok: true; result: unknown }
  | { ok: false; failure: { kind: string; message: string } };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<BackupJob>) => void) | null;
  postMessage(message: WorkerReply): void;
};

scope.onmessage = async (event) => {
  try {
    const result = await runJobInline(event.data);
    scope.postMessage({ ok: true, result });
  } catch (error) {
    const failure = error instanceof JobError
      ? { kind: error.kind, message: error.message }
      : classifyError(error, "write");
    scope.postMessage({ ok: false, failure });
  }
};
