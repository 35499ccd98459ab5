/** The version of this build, from deno.json. */
import meta from "../deno.json" with { type: "json" };

/** Blitz's version, e.g. "0.1.0". */
export const VERSION: string = meta.version;
