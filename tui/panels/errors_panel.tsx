/** Errors: counts by category and the most recent, with time and message. */
import { memo } from "react";
import { Text } from "ink";
import type { ErrorsModel } from "../model.ts";
import { clip, colour, formatLocalTime } from "../format.ts";
import { Panel, type PanelProps } from "./panel.tsx";

/** The errors panel. */
export const ErrorsPanel = memo(
  function ErrorsPanel(props: PanelProps & { errors?: ErrorsModel; now: number }) {
    const e = props.errors;
    const counts = e
      ? Object.entries(e.byCategory).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(
        " · ",
      ) || "none"
      : "—";
    const room = Math.max(0, props.height - 1);
    return (
      <Panel
        title={`Errors${e ? ` (${e.total})` : ""}`}
        width={props.width}
        height={props.height}
        focused={props.focused}
        color={props.color}
      >
        <Text wrap="truncate-end" color={colour("red", props.color && (e?.total ?? 0) > 0)}>
          {counts}
        </Text>
        {(e?.recent ?? []).slice(0, room).map((entry, i) => (
          <Text key={`${entry.at}-${i}`} wrap="truncate-end">
            <Text dimColor>{formatLocalTime(entry.at, props.now)}</Text>
            {` ${entry.category}: ${clip(entry.message, Math.max(8, props.width - 20))}`}
          </Text>
        ))}
      </Panel>
    );
  },
);
