/** What the dashboard asks of the running instance; `api_client.ts` implements it over HTTP. */
import type { BackupEntry, DashboardModel, FeatureEntry, JobEntry, LogEntry } from "./model.ts";

/** The instance did not answer (connection refused, timeout, 5xx). */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** The instance answered 401: the token is wrong or missing. */
export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
}

/** The instance refused an action (4xx other than 401) with a message to show. */
export class ActionRefusedError extends Error {
  override name = "ActionRefusedError";
}

/** The live parts of the model, fetched together. */
export type Snapshot = Pick<
  DashboardModel,
  "status" | "resources" | "traffic" | "games" | "errors" | "alerts"
>;

/** Everything the dashboard reads and does. */
export interface DashboardApi {
  readonly url: string;
  snapshot(): Promise<Snapshot>;
  backups(): Promise<BackupEntry[]>;
  jobs(): Promise<JobEntry[]>;
  features(): Promise<FeatureEntry[]>;
  logs(tail: number): Promise<LogEntry[]>;
  /** Subscribes to pushed snapshots; returns an unsubscribe. Optional: polling works without. */
  subscribe?(onSnapshot: (snapshot: Snapshot) => void, onError: (error: Error) => void): () => void;
  backupNow(): Promise<BackupEntry>;
  restore(file: string): Promise<string>;
  setFeature(name: string, enabled: boolean): Promise<FeatureEntry>;
  setMaintenance(on: boolean, message?: string): Promise<string>;
  vacuum(): Promise<string>;
}
