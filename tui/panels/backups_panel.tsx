/** Backups: newest first, age, size, kind, verified; a selection for restore. */
import { memo } from "react";
import { Text } from "ink";
import type { BackupEntry } from "../model.ts";
import { colour, formatAge, formatBytes } from "../format.ts";
import { Panel, type PanelProps } from "./panel.tsx";
import { windowStart } from "./list_window.ts";

/** The backups panel. */
export const BackupsPanel = memo(function BackupsPanel(
  props: PanelProps & { backups: BackupEntry[]; selected: number; now: number },
) {
  const rows = Math.max(1, props.height);
  const start = windowStart(props.backups.length, rows, props.selected);
  return (
    <Panel
      title={`Backups (${props.backups.length})`}
      width={props.width}
      height={props.height}
      focused={props.focused}
      color={props.color}
      hint={props.focused ? "b new · r restore" : "b new"}
    >
      {props.backups.length === 0 ? <Text dimColor>none yet: press b</Text> : null}
      {props.backups.slice(start, start + rows).map((b, i) => {
        const index = start + i;
        const mark = props.focused && index === props.selected ? "›" : " ";
        const tone = b.state === "verified" ? "green" : b.state === "damaged" ? "red" : "yellow";
        return (
          <Text
            key={b.file}
            wrap="truncate-end"
            inverse={props.focused && index === props.selected}
          >
            {`${mark}${formatAge(b.createdAt, props.now).padEnd(11)} ${
              formatBytes(b.sizeBytes).padStart(8)
            } ${b.kind.padEnd(10)} `}
            <Text color={colour(tone, props.color)}>
              {b.state === "verified" ? "✓ verified" : b.state}
            </Text>
          </Text>
        );
      })}
    </Panel>
  );
});
