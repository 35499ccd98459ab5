/** Resources: RSS and heap with sparklines, CPU, event-loop delay, disk, database and WAL size. */
import { memo } from "react";
import type { ResourcesModel } from "../model.ts";
import { colour, formatBytes, sparkline } from "../format.ts";
import { Field, Panel, type PanelProps } from "./panel.tsx";

/** The resources panel. */
export const ResourcesPanel = memo(
  function ResourcesPanel(props: PanelProps & { resources?: ResourcesModel }) {
    const r = props.resources;
    const sparkWidth = Math.max(0, props.width - 24);
    const memTone = r && r.rssBytes > 200e6
      ? "red"
      : r && r.rssBytes > 100e6
      ? "yellow"
      : undefined;
    const diskTone = r?.diskUsedPercent !== undefined && r.diskUsedPercent >= 80
      ? "yellow"
      : undefined;
    const lines = [
      <Field
        key="rss"
        label="RSS"
        value={`${formatBytes(r?.rssBytes).padEnd(9)} ${
          r ? sparkline(r.history.rss, sparkWidth) : ""
        }`}
        tone={colour(memTone ?? "", props.color && memTone !== undefined)}
      />,
      <Field
        key="heap"
        label="Heap"
        value={`${formatBytes(r?.heapUsedBytes).padEnd(9)} ${
          r ? sparkline(r.history.heap, sparkWidth) : ""
        }`}
      />,
      <Field
        key="cpu"
        label="CPU"
        value={`${r?.cpuPercent !== undefined ? `${r.cpuPercent.toFixed(1)}%` : "—"}   loop delay ${
          r?.eventLoopDelayMs !== undefined ? `${r.eventLoopDelayMs.toFixed(1)} ms` : "—"
        }`}
      />,
      <Field
        key="disk"
        label="Disk free"
        value={`${formatBytes(r?.diskFreeBytes)}${
          r?.diskUsedPercent !== undefined ? ` (${r.diskUsedPercent.toFixed(0)}% used)` : ""
        }`}
        tone={colour(diskTone ?? "", props.color && diskTone !== undefined)}
      />,
      <Field
        key="db"
        label="Database"
        value={`${formatBytes(r?.dbBytes)}   WAL ${formatBytes(r?.walBytes)}`}
      />,
    ];
    return (
      <Panel
        title="Resources"
        width={props.width}
        height={props.height}
        focused={props.focused}
        color={props.color}
      >
        {lines.slice(0, Math.max(1, props.height))}
      </Panel>
    );
  },
);
