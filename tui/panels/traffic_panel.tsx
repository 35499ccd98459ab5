/** Traffic: commands per minute, latency percentiles, rate-limited count, error rate. */
import { memo } from "react";
import type { TrafficModel } from "../model.ts";
import { colour } from "../format.ts";
import { Field, Panel, type PanelProps } from "./panel.tsx";

const ms = (
  v: number | undefined,
) => (v === undefined ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/** The traffic panel. */
export const TrafficPanel = memo(
  function TrafficPanel(props: PanelProps & { traffic?: TrafficModel }) {
    const t = props.traffic;
    const slow = t?.p95Ms !== undefined && t.p95Ms > 500;
    return (
      <Panel
        title="Traffic"
        width={props.width}
        height={props.height}
        focused={props.focused}
        color={props.color}
      >
        <Field
          label="Commands"
          value={t?.commandsPerMinute !== undefined ? `${t.commandsPerMinute.toFixed(0)}/min` : "—"}
        />
        <Field
          label="Latency"
          value={`p50 ${ms(t?.p50Ms)}  p95 ${ms(t?.p95Ms)}  p99 ${ms(t?.p99Ms)}`}
          tone={colour("yellow", props.color && slow)}
        />
        <Field label="Limited" value={t?.rateLimited !== undefined ? String(t.rateLimited) : "—"} />
        {props.height >= 4
          ? (
            <Field
              label="Errors"
              value={t?.errorRatePercent !== undefined ? `${t.errorRatePercent.toFixed(2)}%` : "—"}
            />
          )
          : null}
      </Panel>
    );
  },
);
