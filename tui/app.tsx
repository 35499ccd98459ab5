/**
 * The dashboard: lays the panels out for the terminal's size, refreshes them from the
 * running instance, and turns keys into confirmed actions through the admin API.
 */
import { Box, Text, useApp, useInput, useStdout } from "ink";
import { useEffect, useState } from "react";
import { ActionRefusedError, type DashboardApi, UnauthorizedError } from "./api.ts";
import { computeLayout, type PanelId, type Placed } from "./layout.ts";
import { handleKey, type UiAction, type UiState } from "./keys.ts";
import type { DashboardModel } from "./model.ts";
import { useDashboard } from "./use_dashboard.ts";
import { Dialog } from "./dialogs.tsx";
import { colour, formatBytes } from "./format.ts";
import { StatusPanel } from "./panels/status_panel.tsx";
import { ResourcesPanel } from "./panels/resources_panel.tsx";
import { TrafficPanel } from "./panels/traffic_panel.tsx";
import { GamesPanel } from "./panels/games_panel.tsx";
import { ErrorsPanel } from "./panels/errors_panel.tsx";
import { JobsPanel } from "./panels/jobs_panel.tsx";
import { BackupsPanel } from "./panels/backups_panel.tsx";
import { AlertsPanel } from "./panels/alerts_panel.tsx";
import { LogPanel } from "./panels/log_panel.tsx";
import { PANELS } from "./layout.ts";

/** Props of the dashboard. */
export interface DashboardProps {
  api: DashboardApi;
  color: boolean;
  /** Overrides the terminal size (tests). */
  size?: { columns: number; rows: number };
  /** Where to find the token, for the "wrong token" message. */
  tokenHint?: string;
  refresh?: { snapshotMs?: number; listsMs?: number; maxBackoffMs?: number };
  now?: () => number;
}

function useTerminalSize(override?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const tty = stdout as unknown as { columns?: number; rows?: number };
  const read = () => override ?? { columns: tty.columns || 80, rows: tty.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (override) return;
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, override]);
  return size;
}

function renderPanel(p: Placed, model: DashboardModel, ui: UiState, color: boolean, now: number) {
  const common = { width: p.width, height: p.height, focused: ui.focus === p.id, color };
  switch (p.id) {
    case "status":
      return (
        <StatusPanel
          key={p.id}
          {...common}
          status={model.status}
          reach={model.reach}
          url={model.url}
        />
      );
    case "resources":
      return <ResourcesPanel key={p.id} {...common} resources={model.resources} />;
    case "traffic":
      return <TrafficPanel key={p.id} {...common} traffic={model.traffic} />;
    case "games":
      return <GamesPanel key={p.id} {...common} games={model.games} />;
    case "errors":
      return <ErrorsPanel key={p.id} {...common} errors={model.errors} now={now} />;
    case "jobs":
      return <JobsPanel key={p.id} {...common} jobs={model.jobs} now={now} />;
    case "backups":
      return (
        <BackupsPanel
          key={p.id}
          {...common}
          backups={model.backups}
          selected={ui.selectedBackup}
          now={now}
        />
      );
    case "alerts":
      return <AlertsPanel key={p.id} {...common} alerts={model.alerts} />;
    case "log":
      return <LogPanel key={p.id} {...common} logs={model.logs} filter={ui.logFilter} now={now} />;
  }
}

function Banner(
  props: { model: DashboardModel; color: boolean; tokenHint?: string; width: number },
) {
  const { reach, url } = props.model;
  if (reach.kind === "unreachable") {
    return (
      <Text color={colour("red", props.color)} wrap="truncate-end">
        {`✗ Cannot reach Blitz at ${url} (${reach.reason}). Retrying in ${
          Math.ceil(reach.retryInMs / 1000)
        } s…`}
      </Text>
    );
  }
  if (reach.kind === "unauthorized") {
    return (
      <Text color={colour("red", props.color)} wrap="truncate-end">
        {`✗ Wrong token for Blitz at ${url}: use the one in ${
          props.tokenHint ?? "<data>/admin.token"
        } of the running instance (--token-file FILE) · ${reach.message}`}
      </Text>
    );
  }
  if (reach.kind === "connecting") return <Text dimColor>Connecting to {url}…</Text>;
  return null;
}

/** The dashboard component. */
export function Dashboard(props: DashboardProps) {
  const { exit } = useApp();
  const size = useTerminalSize(props.size);
  const { model, patch } = useDashboard(props.api, props.refresh);
  const [ui, setUi] = useState<UiState>({
    mode: { kind: "normal" },
    focus: "status",
    selectedBackup: 0,
    logFilter: "",
  });
  const [busy, setBusy] = useState<string | undefined>();
  const now = (props.now ?? Date.now)();

  const run = async (action: UiAction) => {
    if (action.kind === "quit") return exit();
    const notice = (text: string, tone: "ok" | "error" | "info") =>
      patch({ notice: { text, tone } });
    const label = {
      backup: "Backing up…",
      restore: "Restoring…",
      "toggle-feature": "Switching the feature…",
      maintenance: "Switching maintenance mode…",
      vacuum: "Vacuuming…",
    }[action.kind];
    setBusy(label);
    try {
      if (action.kind === "backup") {
        const backup = await props.api.backupNow();
        notice(
          `✓ Backup created: ${backup.file} (${formatBytes(backup.sizeBytes)}, ${backup.state})`,
          "ok",
        );
        patch({ backups: await props.api.backups() });
      } else if (action.kind === "restore") {
        notice(`✓ ${await props.api.restore(action.file)}`, "ok");
        patch({ backups: await props.api.backups() });
      } else if (action.kind === "toggle-feature") {
        const feature = model.features[action.index];
        if (feature) {
          const changed = await props.api.setFeature(feature.name, !feature.enabled);
          notice(`✓ Feature ${changed.name} is now ${changed.enabled ? "on" : "off"}`, "ok");
          patch({ features: await props.api.features() });
        }
      } else if (action.kind === "maintenance") {
        notice(`✓ ${await props.api.setMaintenance(action.on)}`, "ok");
      } else if (action.kind === "vacuum") {
        notice(`✓ ${await props.api.vacuum()}`, "ok");
      }
    } catch (error) {
      const why = error instanceof ActionRefusedError || error instanceof UnauthorizedError
        ? error.message
        : `failed: ${(error as Error).message}`;
      notice(`✗ ${label.replace("…", "")} ${why}`, "error");
    } finally {
      setBusy(undefined);
    }
  };

  useInput((input, key) => {
    if (busy && !(key.ctrl && input === "c") && input !== "q") return;
    const result = handleKey(ui, { input, ...key }, {
      backups: model.backups,
      features: model.features,
      maintenanceOn: Boolean(model.status?.maintenance),
    });
    setUi(result.state);
    if (result.action) void run(result.action);
  });

  const layout = computeLayout(size.columns, size.rows, ui.focus);
  const width = Math.max(40, size.columns);
  const footer = busy ?? model.notice?.text ??
    "b backup · r restore · f features · m maintenance · v vacuum · / filter · tab move · ? help · q quit";
  const footerTone = busy
    ? "yellow"
    : model.notice?.tone === "error"
    ? "red"
    : model.notice?.tone === "ok"
    ? "green"
    : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between" width={width}>
        <Text bold>🏀 Blitz dashboard</Text>
        <Text dimColor>{props.api.url}</Text>
      </Box>
      <Box>
        {layout.columns.map((column, i) => (
          <Box key={i} flexDirection="column">
            {column.map((p) => renderPanel(p, model, ui, props.color, now))}
          </Box>
        ))}
      </Box>
      {layout.mode === "compact"
        ? (
          <Text wrap="truncate-end">
            {PANELS.map((id: PanelId) => (id === layout.bottom.id ? `[${id}]` : ` ${id} `)).join(
              "",
            )}
          </Text>
        )
        : null}
      {ui.mode.kind !== "normal"
        ? <Dialog mode={ui.mode} width={width} features={model.features} color={props.color} />
        : renderPanel(
          layout.bottom,
          model,
          { ...ui, focus: layout.mode === "compact" ? layout.bottom.id : ui.focus },
          props.color,
          now,
        )}
      {model.reach.kind === "ok" || model.reach.kind === "connecting" || busy
        ? (
          <Text
            wrap="truncate-end"
            color={colour(footerTone ?? "", props.color && footerTone !== undefined)}
          >
            {footer}
          </Text>
        )
        : <Banner model={model} color={props.color} tokenHint={props.tokenHint} width={width} />}
    </Box>
  );
}
