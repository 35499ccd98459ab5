/** The boxes shown over the bottom panel: help, confirmations, the feature list, the log filter. */
import { Box, Text } from "ink";
import type { FeatureEntry } from "./model.ts";
import { RESTORE_WORD, type UiMode } from "./keys.ts";
import { colour } from "./format.ts";

/** Every key, for `?`. */
export const HELP_LINES = [
  "tab / shift-tab / ← →   move between panels",
  "↑ ↓                     select a backup (backups panel)",
  "b                       back up now",
  'r                       restore the selected backup (type "restore" to confirm)',
  "f                       feature flags: ↑ ↓ select, enter toggles, esc closes",
  "m                       maintenance mode on/off (asks first)",
  "v                       VACUUM + ANALYZE (asks first)",
  "/                       filter the log (enter applies, esc clears)",
  "?                       this help        q  quit",
];

/** The dialog for a mode, or null in normal mode. */
export function Dialog(
  props: { mode: UiMode; width: number; features: FeatureEntry[]; color: boolean },
) {
  const { mode } = props;
  if (mode.kind === "normal") return null;
  const frame = (title: string, children: React.ReactNode) => (
    <Box
      flexDirection="column"
      borderStyle="double"
      borderColor={colour("yellow", props.color)}
      width={props.width}
      paddingX={1}
    >
      <Text bold>{title}</Text>
      {children}
    </Box>
  );
  switch (mode.kind) {
    case "help":
      return frame(
        "Keys (any key closes)",
        HELP_LINES.map((line) => <Text key={line}>{line}</Text>),
      );
    case "filter":
      return frame("Filter the log", <Text>/ {mode.text}█</Text>);
    case "confirm-restore":
      return frame(
        "Restore a backup",
        <>
          <Text wrap="truncate-end">Replace the live database with {mode.file}?</Text>
          <Text>A pre-restore backup of the current database is taken first.</Text>
          <Text>
            Type <Text bold>{RESTORE_WORD}</Text> and press enter (esc cancels): {mode.typed}█
          </Text>
        </>,
      );
    case "confirm":
      return frame("Confirm", <Text>{mode.question} [y/N]</Text>);
    case "features":
      return frame(
        "Feature flags (enter toggles, esc closes)",
        props.features.length === 0
          ? <Text dimColor>the instance reported no feature flags</Text>
          : props.features.map((f, i) => (
            <Text key={f.name} inverse={i === mode.selected}>
              {f.enabled ? "[on] " : "[off]"} {f.name}
              {f.reason ? <Text dimColor>{` (${f.reason})`}</Text> : null}
            </Text>
          )),
      );
  }
}
