/** Alerts: the active ones, coloured by severity. */
import { memo } from "react";
import { Text } from "ink";
import type { AlertEntry } from "../model.ts";
import { colour } from "../format.ts";
import { Panel, type PanelProps } from "./panel.tsx";

const TONE = { info: "cyan", warning: "yellow", critical: "red" } as const;

/** The alerts panel. */
export const AlertsPanel = memo(function AlertsPanel(props: PanelProps & { alerts: AlertEntry[] }) {
  return (
    <Panel
      title={`Alerts (${props.alerts.length})`}
      width={props.width}
      height={props.height}
      focused={props.focused}
      color={props.color}
    >
      {props.alerts.length === 0
        ? <Text color={colour("green", props.color)}>all clear</Text>
        : null}
      {props.alerts.slice(0, Math.max(0, props.height)).map((a) => (
        <Text key={`${a.rule}-${a.severity}`} wrap="truncate-end">
          <Text color={colour(TONE[a.severity], props.color)} bold>
            {a.severity.toUpperCase().padEnd(9)}
          </Text>
          {a.message}
        </Text>
      ))}
    </Panel>
  );
});
