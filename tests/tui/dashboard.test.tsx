import { afterEach, describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import { Dashboard } from "../../tui/app.tsx";
import { CHROME_ROWS, computeLayout, FRAME_ROWS } from "../../tui/layout.ts";
import { type FakeApi, fakeApi } from "./fake_api.ts";

const ENTER = "\r";
const ESC = "\u001b";
const TAB = "\t";
const DOWN = "\u001b[B";

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

/** Waits (bounded) until the frame satisfies `check`; ink renders asynchronously. */
async function until(
  get: () => string | undefined,
  check: (frame: string) => boolean,
  what: string,
): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const frame = get() ?? "";
    if (check(frame)) return frame;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Timed out waiting for ${what}; last frame:\n${get()}`);
}

async function mount(api: FakeApi, size = { columns: 200, rows: 50 }) {
  const view = render(
    <Dashboard
      api={api}
      color={false}
      size={size}
      refresh={{ snapshotMs: 20, listsMs: 20, maxBackoffMs: 40 }}
    />,
  );
  unmount = view.unmount;
  const ready = size.columns >= 100 ? "Backups (2)" : "ONLINE";
  await until(
    view.lastFrame,
    (f) => f.includes("ONLINE") && f.includes(ready),
    "the first snapshot",
  );
  return view;
}

async function press(view: Awaited<ReturnType<typeof mount>>, ...keys: string[]) {
  for (const key of keys) {
    view.stdin.write(key);
    // A lone ESC is held back briefly by the input parser (it may start a sequence).
    await new Promise((r) => setTimeout(r, key === ESC ? 120 : 15));
  }
}

describe("the dashboard", () => {
  it("shows every panel on a wide terminal", async () => {
    const view = await mount(fakeApi());
    const frame = view.lastFrame()!;
    for (
      const title of [
        "Status",
        "Resources",
        "Traffic",
        "Games",
        "Errors",
        "Jobs",
        "Backups",
        "Alerts",
        "Log",
      ]
    ) {
      expect(frame).toContain(title);
    }
  });

  it("fits 80×24 by collapsing to the summaries, the focused panel and a tab bar", async () => {
    const view = await mount(fakeApi(), { columns: 80, rows: 24 });
    const frame = view.lastFrame()!;
    expect(frame.split("\n").length).toBeLessThanOrEqual(24);
    expect(Math.max(...frame.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(frame).toContain("[resources]");
    await press(view, TAB, TAB, TAB, TAB, TAB, TAB);
    const moved = await until(view.lastFrame, (f) => f.includes("[backups]"), "focus on backups");
    expect(moved).toContain("Backups (2)");
  });

  it("b backs up now and shows the result", async () => {
    const api = fakeApi();
    const view = await mount(api);
    await press(view, "b");
    await until(
      view.lastFrame,
      (f) => f.includes("Backup created: blitz-new-manual.db"),
      "the backup notice",
    );
    expect(api.calls).toContain("backupNow");
    await until(view.lastFrame, (f) => f.includes("Backups (3)"), "the new backup listed");
  });

  it("r restores the selected backup only after the word is typed", async () => {
    const api = fakeApi();
    const view = await mount(api);
    await press(view, "r");
    await until(view.lastFrame, (f) => f.includes("Type restore"), "the restore confirmation");
    await press(view, "n", "o", ENTER);
    expect(api.calls.some((c) => c.startsWith("restore:"))).toBe(false);
    await press(view, ESC); // r focused the backups panel; select the second backup
    await press(view, DOWN, "r", ..."restore".split(""), ENTER);
    await until(
      view.lastFrame,
      (f) => f.includes("Restored blitz-20261121T040000Z-scheduled.db"),
      "the restore notice",
    );
    expect(api.calls).toContain("restore:blitz-20261121T040000Z-scheduled.db");
  });

  it("m and v ask first; n cancels and y goes ahead", async () => {
    const api = fakeApi();
    const view = await mount(api);
    await press(view, "v");
    await until(view.lastFrame, (f) => f.includes("VACUUM + ANALYZE now"), "the vacuum question");
    await press(view, "n");
    expect(api.calls).not.toContain("vacuum");
    await press(view, "v", "y");
    await until(view.lastFrame, (f) => f.includes("VACUUM reclaimed"), "the vacuum result");
    await press(view, "m", "y");
    await until(view.lastFrame, (f) => f.includes("Maintenance mode on"), "the maintenance result");
    expect(api.calls).toContain("maintenance:true");
  });

  it("f toggles the selected feature flag", async () => {
    const api = fakeApi();
    const view = await mount(api);
    await press(view, "f", DOWN, ENTER);
    await until(view.lastFrame, (f) => f.includes("Feature solo is now off"), "the feature notice");
    expect(api.calls).toContain("feature:solo:false");
  });

  it("/ filters the log and ? shows the keys", async () => {
    const view = await mount(fakeApi());
    await press(view, "/", ..."slow".split(""), ENTER);
    const filtered = await until(
      view.lastFrame,
      (f) => f.includes("filter: slow"),
      "the filtered log",
    );
    expect(filtered).not.toContain("Bot is ready!");
    await press(view, "?");
    await until(view.lastFrame, (f) => f.includes("restore the selected backup"), "the help");
  });

  it("says it cannot reach Blitz, retries, and recovers by itself", async () => {
    const api = fakeApi();
    const view = await mount(api);
    api.mode = "down";
    await until(
      view.lastFrame,
      (f) => f.includes("Cannot reach Blitz at http://127.0.0.1:8000 (connection refused)"),
      "the unreachable state",
    );
    api.mode = "ok";
    await until(
      view.lastFrame,
      (f) => !f.includes("Cannot reach") && f.includes("ONLINE"),
      "recovery",
    );
  });

  it("says the token is wrong and where to find the right one", async () => {
    const api = fakeApi();
    api.mode = "unauthorized";
    const view = render(
      <Dashboard
        api={api}
        color={false}
        size={{ columns: 200, rows: 50 }}
        tokenHint="data/admin.token"
        refresh={{ snapshotMs: 20 }}
      />,
    );
    unmount = view.unmount;
    const frame = await until(
      view.lastFrame,
      (f) => f.includes("Wrong token for Blitz"),
      "the wrong-token state",
    );
    expect(frame).toContain("data/admin.token");
  });
});

describe("layout", () => {
  it("uses the full width and height of wide terminals and never exceeds them", () => {
    for (const [columns, rows] of [[80, 24], [120, 40], [200, 50]] as const) {
      const layout = computeLayout(columns, rows, "status");
      const widths = layout.columns.reduce((sum, column) => sum + column[0]!.width, 0);
      expect(widths).toBe(columns);
      const tallest = Math.max(
        ...layout.columns.map((c) => c.reduce((h, p) => h + p.height + FRAME_ROWS, 0)),
      );
      const extra = layout.mode === "compact" ? 1 : 0;
      expect(tallest + layout.bottom.height + FRAME_ROWS + CHROME_ROWS + extra).toBeLessThanOrEqual(
        rows,
      );
    }
    expect(computeLayout(200, 50, "status").mode).toBe("full");
    expect(computeLayout(80, 24, "status").mode).toBe("compact");
  });
});
