/**
 * The three settings `blitz tui` needs (data directory, HTTP host and port), resolved exactly as
 * `loadConfig` would (flags > environment > `.env` > defaults) but without zod or the rest of
 * the schema: the dashboard must stay light, and a bad setting it never uses (a malformed
 * token, say) is no reason to refuse to show the dashboard.
 */
import { parseDotenv } from "./dotenv.ts";

/** Defaults shared with the full schema in `fields.ts`. */
export const DATA_DIR_DEFAULT = "./data";
export const HTTP_HOST_DEFAULT = "0.0.0.0";
export const HTTP_PORT_DEFAULT = "8000";

/** Where the dashboard finds the running instance. */
export interface DashboardTarget {
  dataDir: string;
  httpHost: string;
  httpPort: number;
}

/** A setting the dashboard needs is unusable; the message says which and how to fix it. */
export class DashboardTargetError extends Error {
  override name = "DashboardTargetError";
}

/** Resolves the dashboard's target, or throws {@link DashboardTargetError}. */
export function resolveDashboardTarget(sources: {
  flags?: Record<string, string | undefined>;
  env?: Record<string, string>;
  dotenvPath?: string | null;
} = {}): DashboardTarget {
  const env = sources.env ?? Deno.env.toObject();
  const flags = sources.flags ?? {};
  const dotenv = readDotenv(sources.dotenvPath === undefined ? ".env" : sources.dotenvPath);
  const pick = (name: string, fallback: string) =>
    flags[name] ?? env[name] ?? dotenv[name] ?? fallback;
  const dataDir = pick("BLITZ_DATA_DIR", DATA_DIR_DEFAULT);
  const httpHost = pick("BLITZ_HTTP_HOST", HTTP_HOST_DEFAULT);
  const portText = pick("BLITZ_HTTP_PORT", HTTP_PORT_DEFAULT);
  const problems: string[] = [];
  if (dataDir === "") {
    problems.push(
      `BLITZ_DATA_DIR="" must not be empty (for example BLITZ_DATA_DIR=/var/lib/blitz)`,
    );
  }
  if (httpHost === "") {
    problems.push(`BLITZ_HTTP_HOST="" must not be empty (for example BLITZ_HTTP_HOST=127.0.0.1)`);
  }
  const httpPort = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(httpPort >= 0 && httpPort <= 65535)) {
    problems.push(
      `BLITZ_HTTP_PORT=${
        JSON.stringify(portText)
      } must be a whole number from 0 to 65535 (for example BLITZ_HTTP_PORT=8000)`,
    );
  }
  if (problems.length > 0) {
    throw new DashboardTargetError(
      `Configuration invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p}`).join("\n"),
    );
  }
  return { dataDir, httpHost, httpPort };
}

/** A `.env` the dashboard cannot read is not fatal: the variables it needs can come from elsewhere. */
function readDotenv(path: string | null): Record<string, string> {
  if (path === null) return {};
  try {
    return parseDotenv(Deno.readTextFileSync(path)).values;
  } catch {
    return {};
  }
}

/** How `blitz` loads its programs (see `src/cli/program_bundle.ts`). */
export interface ProgramBundleSettings {
  /** false when BLITZ_BUNDLE=0: load the programs' sources one module at a time. */
  bundle: boolean;
  /** BLITZ_CACHE_DIR, else $XDG_CACHE_HOME/blitz, else ~/.cache/blitz, else a temp folder. */
  cacheDir: string;
}

/** Resolves {@link ProgramBundleSettings} from the environment. */
export function resolveProgramBundle(
  env: Record<string, string> = Deno.env.toObject(),
): ProgramBundleSettings {
  const cacheDir = env.BLITZ_CACHE_DIR ||
    (env.XDG_CACHE_HOME ? `${env.XDG_CACHE_HOME}/blitz` : "") ||
    (env.HOME ? `${env.HOME}/.cache/blitz` : "") ||
    `${env.TMPDIR || "/tmp"}/blitz-cache`;
  return { bundle: env.BLITZ_BUNDLE !== "0", cacheDir };
}
