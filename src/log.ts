/**
 * Logging through LogTape: stderr (readable text on a terminal, JSON lines with
 * `LOG_FORMAT=json`) and a size-rotated file in `<data>/logs/blitz.log`. Every line passes
 * through {@link redactSecrets} before it is written anywhere, so a token cannot leak.
 */
import {
  configure,
  dispose,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getLogger,
  getStreamSink,
  getTextFormatter,
  type Logger,
  type LogRecord,
  type Sink,
  type TextFormatter,
} from "@logtape/logtape";
import { getRotatingFileSink } from "@logtape/file";
import { join } from "node:path";

/** What logging needs from the configuration. */
export interface LogOptions {
  level: "debug" | "info" | "warning" | "error" | "fatal";
  format: "text" | "json";
  /** Directory of the rotating log file; null: no file (CLI verbs that only print). */
  logDir: string | null;
  maxBytes?: number;
  maxFiles?: number;
  /** Strings that must never appear in a log line (the token, the admin token). */
  secrets?: string[];
}

const TOKEN_SHAPE = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}/g;

/** Replaces every known secret, and anything shaped like a Discord token, with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.replaceAll(secret, "[REDACTED]");
  }
  return out.replace(TOKEN_SHAPE, "[REDACTED]");
}

function redacting(formatter: TextFormatter, secrets: readonly string[]): TextFormatter {
  return (record: LogRecord) => redactSecrets(formatter(record), secrets);
}

/** Sets up logging for this process. Call once; {@link closeLogging} flushes the file. */
export async function setupLogging(options: LogOptions): Promise<void> {
  const secrets = options.secrets ?? [];
  const stderrFormatter = options.format === "json"
    ? getJsonLinesFormatter()
    : Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR")
    ? getAnsiColorFormatter({ timestamp: "date-time-tz", value: "bare" })
    : getTextFormatter({ timestamp: "date-time-tz", value: "bare" });
  const sinks: Record<string, Sink> = {
    stderr: getStreamSink(Deno.stderr.writable, {
      formatter: redacting(stderrFormatter, secrets),
    }),
  };
  if (options.logDir) {
    await Deno.mkdir(options.logDir, { recursive: true });
    sinks.file = getRotatingFileSink(join(options.logDir, "blitz.log"), {
      formatter: redacting(getJsonLinesFormatter(), secrets),
      maxSize: options.maxBytes ?? 10 * 1024 * 1024,
      maxFiles: options.maxFiles ?? 5,
    });
  }
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: ["blitz"], lowestLevel: options.level, sinks: Object.keys(sinks) },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** Flushes and closes every sink. */
export async function closeLogging(): Promise<void> {
  await dispose();
}

/** A logger for one part of Blitz, e.g. `log("store")` → category `blitz.store`. */
export function log(...category: string[]): Logger {
  return getLogger(["blitz", ...category]);
}

export type { Logger };
