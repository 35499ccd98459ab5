/**
 * A small in-process event bus for the live stream (`/api/stream`): status samples, alerts,
 * audit entries, job runs and errors are published here and fanned out to subscribers.
 */

/** An event for the dashboard: `type` names it, `data` is JSON-serialisable. */
export interface OpsEvent {
  type: "status" | "alert" | "audit" | "job" | "error" | "feature" | "maintenance";
  data: unknown;
}

/** The bus. */
export interface OpsEvents {
  publish(event: OpsEvent): void;
  /** Returns the unsubscribe function. `onClose` is called when the bus closes (shutdown). */
  subscribe(listener: (event: OpsEvent) => void, onClose?: () => void): () => void;
  subscribers(): number;
  /** Ends every subscription (so open live streams let the HTTP server stop). */
  close(): void;
}

/** Creates the bus. A throwing listener is dropped, never the publisher's problem. */
export function createOpsEvents(): OpsEvents {
  const listeners = new Set<(event: OpsEvent) => void>();
  const closers = new Map<(event: OpsEvent) => void, () => void>();
  return {
    publish(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          listeners.delete(listener);
        }
      }
    },
    subscribe(listener, onClose) {
      listeners.add(listener);
      if (onClose) closers.set(listener, onClose);
      return () => {
        listeners.delete(listener);
        closers.delete(listener);
      };
    },
    subscribers: () => listeners.size,
    close() {
      const ending = [...closers.values()];
      listeners.clear();
      closers.clear();
      for (const onClose of ending) {
        try {
          onClose();
        } catch { /* closing never fails */ }
      }
    },
  };
}
