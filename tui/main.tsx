/** Starts the dashboard in this terminal; resolves when the user quits. */
import { render } from "ink";
import { Dashboard } from "./app.tsx";
import { createHttpApi } from "./api_client.ts";
import { startHeapTrim } from "./lean.ts";

/** Options from `blitz tui`. */
export interface TuiOptions {
  url: string;
  token: string;
  tokenHint: string;
}

/** Runs the dashboard until `q`. */
export async function runDashboard(options: TuiOptions): Promise<void> {
  const api = createHttpApi({ url: options.url, token: options.token });
  const color = !Deno.env.get("NO_COLOR");
  const app = render(<Dashboard api={api} color={color} tokenHint={options.tokenHint} />, {
    exitOnCtrlC: true,
  });
  const stopTrim = startHeapTrim();
  try {
    await app.waitUntilExit();
  } finally {
    stopTrim();
  }
}
