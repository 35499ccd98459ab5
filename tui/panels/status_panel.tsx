/** Status: online/offline/starting, uptime, version, gateway latency, guilds, modes. */
import { memo } from "react";
import { Text } from "ink";
import type { Reachability, StatusModel } from "../model.ts";
import { colour, formatDuration } from "../format.ts";
import { Field, Panel, type PanelProps } from "./panel.tsx";

/** The status panel. */
export const StatusPanel = memo(function StatusPanel(
  props: PanelProps & { status?: StatusModel; reach: Reachability; url: string },
) {
  const { status, reach, color } = props;
  let state = "connecting…";
  let tone: string | undefined = colour("yellow", color);
  if (reach.kind === "unreachable" || reach.kind === "unauthorized") {
    state = reach.kind === "unauthorized" ? "WRONG TOKEN" : "UNREACHABLE";
    tone = colour("red", color);
  } else if (status) {
    state = status.state.toUpperCase();
    tone = colour(
      status.state === "online" ? "green" : status.state === "starting" ? "yellow" : "red",
      color,
    );
  }
  const modes = [
    status?.safeMode ? "SAFE MODE" : "",
    status?.maintenance ? "MAINTENANCE" : "",
    status?.sandbox ? "sandbox" : "",
  ].filter(Boolean).join(" · ");
  return (
    <Panel
      title="Status"
      width={props.width}
      height={props.height}
      focused={props.focused}
      color={color}
    >
      {[
        <Field key="state" label="State" value={`● ${state}`} tone={tone} />,
        <Field
          key="uptime"
          label="Uptime"
          value={status ? formatDuration(status.uptimeSeconds) : "—"}
        />,
        <Field key="version" label="Version" value={status?.version ?? "—"} />,
        <Field
          key="gateway"
          label="Gateway"
          value={status?.gatewayLatencyMs !== undefined ? `${status.gatewayLatencyMs} ms` : "—"}
        />,
        modes
          ? <Text key="modes" color={colour("yellow", color)} wrap="truncate-end">{modes}</Text>
          : null,
        status?.guilds !== undefined
          ? <Field key="guilds" label="Guilds" value={String(status.guilds)} />
          : null,
      ].filter(Boolean).slice(0, Math.max(1, props.height))}
    </Panel>
  );
});
