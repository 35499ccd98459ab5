/** Regenerates `.env.example` from the configuration fields: `deno task env-example`. */
import { renderEnvExample } from "../src/config/mod.ts";

await Deno.writeTextFile(new URL("../.env.example", import.meta.url), renderEnvExample());
