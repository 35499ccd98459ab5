/** Runs a program in a real terminal (tmux), types into it and reads the screen. */

/** Is tmux installed? */
export function hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A tmux session running one command. */
export interface TmuxSession {
  screen(): Promise<string>;
  /** Sends keys (tmux key names like "Enter", "Tab", or literal text with literal=true). */
  keys(keys: string, literal?: boolean): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** Waits (bounded) until the screen satisfies `check`. */
  waitFor(check: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

/** Starts `command` (a shell line) in a detached session of the given size. */
export async function startTmux(
  name: string,
  command: string,
  columns: number,
  rows: number,
): Promise<TmuxSession> {
  const socket = `blitz-test-${Deno.pid}`;
  const t = (...args: string[]) => tmux("-L", socket, ...args);
  await t("new-session", "-d", "-s", name, "-x", String(columns), "-y", String(rows), command);
  await t("set-option", "-t", name, "remain-on-exit", "on").catch(() => {});
  const session: TmuxSession = {
    screen: () => t("capture-pane", "-t", name, "-p"),
    keys: async (keys, literal = false) => {
      await t("send-keys", "-t", name, ...(literal ? ["-l", keys] : [keys]));
    },
    resize: async (c, r) => {
      await t("resize-window", "-t", name, "-x", String(c), "-y", String(r));
    },
    async waitFor(check, what, timeoutMs = 20_000) {
      const started = Date.now();
      let last = "";
      while (Date.now() - started < timeoutMs) {
        last = await session.screen();
        if (check(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`Timed out waiting for ${what}; screen:\n${last}`);
    },
    kill: async () => {
      await t("kill-session", "-t", name).catch(() => {});
    },
  };
  return session;
}
