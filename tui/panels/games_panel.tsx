/** Games: active, completed today, top players. */
import { memo } from "react";
import { Text } from "ink";
import type { GamesModel } from "../model.ts";
import { clip } from "../format.ts";
import { Field, Panel, type PanelProps } from "./panel.tsx";

/** The games panel. */
export const GamesPanel = memo(function GamesPanel(props: PanelProps & { games?: GamesModel }) {
  const g = props.games;
  const room = Math.max(0, props.height - 3);
  return (
    <Panel
      title="Games"
      width={props.width}
      height={props.height}
      focused={props.focused}
      color={props.color}
    >
      <Field label="Active" value={g ? String(g.active) : "—"} />
      <Field
        label="Today"
        value={g?.completedToday !== undefined ? `${g.completedToday} completed` : "—"}
      />
      <Text dimColor>Top players</Text>
      {g && g.topPlayers.length > 0
        ? g.topPlayers.slice(0, room).map((p, i) => (
          <Text key={p.name} wrap="truncate-end">
            {`${i + 1}. ${
              clip(p.name, Math.max(4, props.width - 22))
            } ${p.rating} (${p.wins}–${p.losses})`}
          </Text>
        ))
        : <Text dimColor>none yet</Text>}
    </Panel>
  );
});
