/** The bearer token of the admin API: `<data>/admin.token`, created 0600 on first run. */
import { join } from "node:path";
import { encodeBase64Url } from "./encoding.ts";

/** Reads the admin token, creating it (mode 0600) when missing. */
export function ensureAdminToken(dataDir: string): string {
  const path = join(dataDir, "admin.token");
  try {
    const existing = Deno.readTextFileSync(path).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  Deno.writeTextFileSync(path, `${token}\n`, { mode: 0o600 });
  Deno.chmodSync(path, 0o600);
  return token;
}
