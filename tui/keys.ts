/**
 * The dashboard's interaction state machine, pure: a key and the current UI state in, the
 * next UI state and the action to run out. Confirmations guard every destructive key.
 */
import { type PanelId, PANELS } from "./layout.ts";

/** What the dashboard is doing with the keyboard. */
export type UiMode =
  | { kind: "normal" }
  | { kind: "help" }
  | { kind: "filter"; text: string }
  | { kind: "confirm-restore"; file: string; typed: string }
  | { kind: "confirm"; action: "maintenance-on" | "maintenance-off" | "vacuum"; question: string }
  | { kind: "features"; selected: number };

/** The UI state keys act on. */
export interface UiState {
  mode: UiMode;
  focus: PanelId;
  selectedBackup: number;
  logFilter: string;
}

/** Something to do against the instance. */
export type UiAction =
  | { kind: "quit" }
  | { kind: "backup" }
  | { kind: "restore"; file: string }
  | { kind: "toggle-feature"; index: number }
  | { kind: "maintenance"; on: boolean }
  | { kind: "vacuum" };

/** A key as Ink reports it (the subset we use). */
export interface KeyPress {
  input: string;
  tab?: boolean;
  shift?: boolean;
  escape?: boolean;
  return?: boolean;
  backspace?: boolean;
  delete?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  ctrl?: boolean;
}

/** Facts the key handling needs from the model. */
export interface UiContext {
  backups: { file: string }[];
  features: { enabled: boolean }[];
  maintenanceOn: boolean;
}

/** The word typed to confirm a restore. */
export const RESTORE_WORD = "restore";

function moveFocus(focus: PanelId, delta: number): PanelId {
  const i = PANELS.indexOf(focus);
  return PANELS[(i + delta + PANELS.length) % PANELS.length]!;
}

/** Applies one key. */
export function handleKey(
  state: UiState,
  key: KeyPress,
  ctx: UiContext,
): { state: UiState; action?: UiAction } {
  const mode = state.mode;
  if (key.ctrl && key.input === "c") return { state, action: { kind: "quit" } };
  switch (mode.kind) {
    case "help":
      return { state: { ...state, mode: { kind: "normal" } } };
    case "filter": {
      if (key.escape) return { state: { ...state, mode: { kind: "normal" }, logFilter: "" } };
      if (key.return) {
        return { state: { ...state, mode: { kind: "normal" }, logFilter: mode.text } };
      }
      if (key.backspace || key.delete) {
        return { state: { ...state, mode: { ...mode, text: mode.text.slice(0, -1) } } };
      }
      if (key.input && !key.ctrl) {
        return { state: { ...state, mode: { ...mode, text: mode.text + key.input } } };
      }
      return { state };
    }
    case "confirm-restore": {
      if (key.escape) return { state: { ...state, mode: { kind: "normal" } } };
      if (key.return) {
        if (mode.typed === RESTORE_WORD) {
          return {
            state: { ...state, mode: { kind: "normal" } },
            action: { kind: "restore", file: mode.file },
          };
        }
        return { state };
      }
      if (key.backspace || key.delete) {
        return { state: { ...state, mode: { ...mode, typed: mode.typed.slice(0, -1) } } };
      }
      if (key.input && !key.ctrl) {
        return { state: { ...state, mode: { ...mode, typed: mode.typed + key.input } } };
      }
      return { state };
    }
    case "confirm": {
      const normal = { ...state, mode: { kind: "normal" } as UiMode };
      if (key.input === "y" || key.input === "Y") {
        const action: UiAction = mode.action === "vacuum"
          ? { kind: "vacuum" }
          : { kind: "maintenance", on: mode.action === "maintenance-on" };
        return { state: normal, action };
      }
      if (key.input === "n" || key.input === "N" || key.escape || key.return) {
        return { state: normal };
      }
      return { state };
    }
    case "features": {
      const count = ctx.features.length;
      if (key.escape || key.input === "f" || key.input === "q") {
        return { state: { ...state, mode: { kind: "normal" } } };
      }
      if (key.upArrow) {
        return { state: { ...state, mode: { ...mode, selected: Math.max(0, mode.selected - 1) } } };
      }
      if (key.downArrow) {
        return {
          state: {
            ...state,
            mode: { ...mode, selected: Math.min(Math.max(0, count - 1), mode.selected + 1) },
          },
        };
      }
      if ((key.return || key.input === " ") && count > 0) {
        return { state, action: { kind: "toggle-feature", index: mode.selected } };
      }
      return { state };
    }
    case "normal":
      break;
  }
  if (key.input === "q") return { state, action: { kind: "quit" } };
  if (key.input === "?") return { state: { ...state, mode: { kind: "help" } } };
  if (key.tab || key.rightArrow) {
    return { state: { ...state, focus: moveFocus(state.focus, key.shift ? -1 : 1) } };
  }
  if (key.leftArrow) return { state: { ...state, focus: moveFocus(state.focus, -1) } };
  if (key.upArrow || key.downArrow) {
    if (state.focus !== "backups") return { state };
    const max = Math.max(0, ctx.backups.length - 1);
    const next = Math.max(0, Math.min(max, state.selectedBackup + (key.upArrow ? -1 : 1)));
    return { state: { ...state, selectedBackup: next } };
  }
  if (key.input === "/") {
    return { state: { ...state, mode: { kind: "filter", text: state.logFilter } } };
  }
  if (key.input === "b") return { state, action: { kind: "backup" } };
  if (key.input === "r") {
    const backup = ctx.backups[state.selectedBackup];
    if (!backup) return { state };
    return {
      state: {
        ...state,
        focus: "backups",
        mode: { kind: "confirm-restore", file: backup.file, typed: "" },
      },
    };
  }
  if (key.input === "f") return { state: { ...state, mode: { kind: "features", selected: 0 } } };
  if (key.input === "m") {
    const on = !ctx.maintenanceOn;
    return {
      state: {
        ...state,
        mode: {
          kind: "confirm",
          action: on ? "maintenance-on" : "maintenance-off",
          question: on
            ? "Turn maintenance mode ON (game commands answer with a notice)?"
            : "Turn maintenance mode OFF?",
        },
      },
    };
  }
  if (key.input === "v") {
    return {
      state: {
        ...state,
        mode: {
          kind: "confirm",
          action: "vacuum",
          question: "Run VACUUM + ANALYZE now (the database is locked briefly)?",
        },
      },
    };
  }
  return { state };
}
