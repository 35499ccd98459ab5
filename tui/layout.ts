/**
 * Where the panels go for a terminal size. Pure: (columns, rows) → columns of panels with
 * widths and content heights. Wide terminals show every panel; small ones (80×24) show the
 * status and traffic summaries, the focused panel, and a tab bar to reach the others.
 */

/** Every panel, in focus order. */
export const PANELS = [
  "status",
  "resources",
  "traffic",
  "games",
  "errors",
  "jobs",
  "backups",
  "alerts",
  "log",
] as const;

/** A panel's id. */
export type PanelId = typeof PANELS[number];

/** One placed panel: its width and the content rows inside its frame. */
export interface Placed {
  id: PanelId;
  width: number;
  height: number;
}

/** The layout for one terminal size. */
export interface Layout {
  mode: "full" | "compact";
  /** Columns of panels, left to right, each top to bottom. */
  columns: Placed[][];
  /** The full-width log row (full mode) or the focused panel (compact mode). */
  bottom: Placed;
}

/** Rows a framed panel uses besides its content: two borders and the title. */
export const FRAME_ROWS = 3;
/** Rows kept for the header and the footer (keys and notices). */
export const CHROME_ROWS = 2;

function withLog(cols: number, available: number, columns: Placed[][]): Layout {
  const tallest = Math.max(
    ...columns.map((c) => c.reduce((rows, p) => rows + p.height + FRAME_ROWS, 0)),
  );
  return {
    mode: "full",
    columns,
    bottom: { id: "log", width: cols, height: Math.max(2, available - tallest - FRAME_ROWS) },
  };
}

/** Computes the layout. `focused` matters only in compact mode. */
export function computeLayout(columns: number, rows: number, focused: PanelId): Layout {
  const cols = Math.max(40, columns);
  const available = Math.max(10, rows - CHROME_ROWS);
  if (cols >= 150 && available >= 34) {
    const width = Math.floor(cols / 3);
    return withLog(cols, available, [
      [{ id: "status", width, height: 6 }, { id: "resources", width, height: 5 }, {
        id: "traffic",
        width,
        height: 4,
      }],
      [{ id: "games", width, height: 7 }, { id: "errors", width, height: 5 }, {
        id: "alerts",
        width,
        height: 3,
      }],
      [{ id: "jobs", width: cols - 2 * width, height: 7 }, {
        id: "backups",
        width: cols - 2 * width,
        height: 8,
      }],
    ]);
  }
  if (cols >= 100 && available >= 30) {
    const width = Math.floor(cols / 2);
    return withLog(cols, available, [
      [
        { id: "status", width, height: 5 },
        { id: "resources", width, height: 5 },
        { id: "traffic", width, height: 3 },
        { id: "alerts", width, height: 2 },
      ],
      [
        { id: "games", width: cols - width, height: 4 },
        { id: "errors", width: cols - width, height: 3 },
        { id: "jobs", width: cols - width, height: 4 },
        { id: "backups", width: cols - width, height: 4 },
      ],
    ]);
  }
  // Compact: two summaries side by side, then the focused panel with the rest of the rows.
  const half = Math.floor(cols / 2);
  const top = 4;
  const focus: PanelId = focused === "status" || focused === "traffic" ? "resources" : focused;
  return {
    mode: "compact",
    columns: [[{ id: "status", width: half, height: top }], [{
      id: "traffic",
      width: cols - half,
      height: top,
    }]],
    bottom: { id: focus, width: cols, height: Math.max(2, available - top - 2 * FRAME_ROWS - 1) },
  };
}
