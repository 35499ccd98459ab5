/** The frame every panel is drawn in: a rounded border, a title, focus shown in colour. */
import { Box, Text } from "ink";
import type { ReactNode } from "react";

/** Props every panel takes besides its data. */
export interface PanelProps {
  width: number;
  /** Content rows available inside the frame. */
  height: number;
  focused: boolean;
  color: boolean;
}

/** A framed panel. */
export function Panel(
  props: {
    title: string;
    width: number;
    focused: boolean;
    color: boolean;
    children: ReactNode;
    hint?: string;
    /** Content rows: the frame is exactly this tall, so the layout does not jump. */
    height?: number;
  },
) {
  return (
    <Box
      flexDirection="column"
      width={props.width}
      height={props.height !== undefined ? props.height + 3 : undefined}
      overflow="hidden"
      borderStyle="round"
      borderColor={props.color ? (props.focused ? "cyan" : "gray") : undefined}
      paddingX={1}
    >
      <Text bold color={props.color && props.focused ? "cyan" : undefined}>
        {props.focused ? "▸ " : ""}
        {props.title}
        {props.hint ? <Text dimColor>{`  ${props.hint}`}</Text> : null}
      </Text>
      {props.children}
    </Box>
  );
}

/** A label: value line. */
export function Field(props: { label: string; value: string; tone?: string; labelWidth?: number }) {
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{props.label.padEnd(props.labelWidth ?? 10)}</Text>
      <Text color={props.tone}>{props.value}</Text>
    </Text>
  );
}
