/** The log tail, optionally filtered ("/" in the dashboard). */
import { memo } from "react";
import { Text } from "ink";
import type { LogEntry } from "../model.ts";
import { colour, formatLocalTime } from "../format.ts";
import { Panel, type PanelProps } from "./panel.tsx";

const LEVEL_TONE: Record<string, string> = {
  error: "red",
  fatal: "red",
  warning: "yellow",
  warn: "yellow",
  debug: "gray",
};

/** Lines of `logs` that contain `filter` (case-insensitive). */
export function filterLogs(logs: LogEntry[], filter: string): LogEntry[] {
  if (!filter) return logs;
  const needle = filter.toLowerCase();
  return logs.filter((l) => `${l.level} ${l.category} ${l.message}`.toLowerCase().includes(needle));
}

/** The log panel. */
export const LogPanel = memo(function LogPanel(
  props: PanelProps & { logs: LogEntry[]; filter: string; now: number },
) {
  const shown = filterLogs(props.logs, props.filter).slice(-Math.max(1, props.height));
  return (
    <Panel
      title="Log"
      width={props.width}
      focused={props.focused}
      color={props.color}
      hint={props.filter ? `filter: ${props.filter}` : "/ filter"}
    >
      {shown.length === 0
        ? <Text dimColor>{props.filter ? "no line matches" : "no lines yet"}</Text>
        : null}
      {shown.map((l, i) => (
        <Text key={`${l.at}-${i}`} wrap="truncate-end">
          <Text dimColor>{formatLocalTime(l.at, props.now)}</Text>{" "}
          <Text
            color={colour(
              LEVEL_TONE[l.level] ?? "",
              props.color && LEVEL_TONE[l.level] !== undefined,
            )}
          >
            {l.level.slice(0, 4).toUpperCase()}
          </Text>{" "}
          {l.message}
        </Text>
      ))}
    </Panel>
  );
});
