/** Jobs: each job's next run in local time, last outcome and duration. */
import { memo } from "react";
import { Text } from "ink";
import type { JobEntry } from "../model.ts";
import { clip, colour, formatLocalTime } from "../format.ts";
import { Panel, type PanelProps } from "./panel.tsx";

/** The jobs panel. */
export const JobsPanel = memo(function JobsPanel(
  props: PanelProps & { jobs: JobEntry[]; now: number; timeZone?: string },
) {
  const nameWidth = Math.max(8, Math.min(16, props.width - 34));
  return (
    <Panel
      title="Jobs"
      width={props.width}
      focused={props.focused}
      color={props.color}
      hint="next · last"
    >
      {props.jobs.length === 0 ? <Text dimColor>no jobs reported</Text> : null}
      {props.jobs.slice(0, Math.max(0, props.height)).map((job) => {
        const outcome = job.lastOutcome ?? "never run";
        const tone = outcome === "success" ? "green" : outcome === "failure" ? "red" : "yellow";
        const duration = job.lastDurationMs !== undefined
          ? ` ${Math.round(job.lastDurationMs)} ms`
          : "";
        return (
          <Text key={job.name} wrap="truncate-end">
            {clip(job.name, nameWidth).padEnd(nameWidth)}{" "}
            {formatLocalTime(job.nextRun, props.now, props.timeZone).padEnd(9)}
            <Text color={colour(tone, props.color)}>{outcome}</Text>
            <Text dimColor>{duration}</Text>
          </Text>
        );
      })}
    </Panel>
  );
});
