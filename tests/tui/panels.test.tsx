import { describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import { StatusPanel } from "../../tui/panels/status_panel.tsx";
import { ResourcesPanel } from "../../tui/panels/resources_panel.tsx";
import { TrafficPanel } from "../../tui/panels/traffic_panel.tsx";
import { GamesPanel } from "../../tui/panels/games_panel.tsx";
import { ErrorsPanel } from "../../tui/panels/errors_panel.tsx";
import { JobsPanel } from "../../tui/panels/jobs_panel.tsx";
import { BackupsPanel } from "../../tui/panels/backups_panel.tsx";
import { AlertsPanel } from "../../tui/panels/alerts_panel.tsx";
import { LogPanel } from "../../tui/panels/log_panel.tsx";
import { sampleSnapshot } from "./fake_api.ts";

const common = { width: 60, height: 8, focused: false, color: false };
const now = Date.parse("2026-11-22T10:05:00Z");

describe("dashboard panels", () => {
  it("status shows online, uptime, version, latency and guilds", () => {
    const frame = render(
      <StatusPanel {...common} status={sampleSnapshot().status} reach={{ kind: "ok" }} url="x" />,
    )
      .lastFrame()!;
    expect(frame).toContain("ONLINE");
    expect(frame).toContain("1h 2m");
    expect(frame).toContain("0.1.0");
    expect(frame).toContain("42 ms");
    expect(frame).toMatch(/Guilds\s+3/);
  });

  it("status says UNREACHABLE when the instance does not answer, and shows the modes", () => {
    const down = render(
      <StatusPanel
        {...common}
        reach={{ kind: "unreachable", reason: "refused", retryInMs: 2000 }}
        url="x"
      />,
    ).lastFrame()!;
    expect(down).toContain("UNREACHABLE");
    const modes = render(
      <StatusPanel
        {...common}
        status={{ ...sampleSnapshot().status!, safeMode: true, maintenance: "back soon" }}
        reach={{ kind: "ok" }}
        url="x"
      />,
    ).lastFrame()!;
    expect(modes).toContain("SAFE MODE");
    expect(modes).toContain("MAINTENANCE");
  });

  it("resources shows memory with a sparkline, CPU, disk and database sizes", () => {
    const resources = {
      ...sampleSnapshot().resources!,
      history: { rss: [1, 5, 3, 8], heap: [2, 2, 3, 4] },
    };
    const frame = render(<ResourcesPanel {...common} resources={resources} />).lastFrame()!;
    expect(frame).toContain("61 MB");
    expect(frame).toMatch(/[▁▂▃▄▅▆▇█]{4}/);
    expect(frame).toContain("1.5%");
    expect(frame).toContain("50 GB (40% used)");
    expect(frame).toContain("1.2 MB");
  });

  it("traffic, games, errors, alerts render their figures, and dashes or notes when empty", () => {
    const s = sampleSnapshot();
    expect(render(<TrafficPanel {...common} traffic={s.traffic} />).lastFrame()).toMatch(
      /p50 2\.1 ms\s+p95 6\.4 ms\s+p99 9\.8 ms/,
    );
    expect(render(<TrafficPanel {...common} />).lastFrame()).toContain("—");
    expect(render(<GamesPanel {...common} games={s.games} />).lastFrame()).toMatch(
      /1\. Alice 1048 \(5–1\)/,
    );
    expect(render(<GamesPanel {...common} games={{ active: 0, topPlayers: [] }} />).lastFrame())
      .toContain("none yet");
    const errors = render(<ErrorsPanel {...common} errors={s.errors} now={now} />).lastFrame()!;
    expect(errors).toContain("Errors (2)");
    expect(errors).toContain("discord 1 · command 1");
    expect(errors).toContain("HTTP 503 from Discord");
    expect(render(<AlertsPanel {...common} alerts={s.alerts} />).lastFrame()).toMatch(
      /WARNING\s+RSS 120 MB/,
    );
    expect(render(<AlertsPanel {...common} alerts={[]} />).lastFrame()).toContain("all clear");
  });

  it("jobs show the next run in local time and the last outcome", () => {
    const frame = render(
      <JobsPanel
        {...common}
        jobs={[{
          name: "backup",
          nextRun: "2026-11-23T04:00:00Z",
          lastOutcome: "failure",
          lastDurationMs: 12,
        }]}
        now={now}
        timeZone="UTC"
      />,
    ).lastFrame()!;
    expect(frame).toMatch(/backup\s+.*04:00\s+failure 12 ms/);
    expect(render(<JobsPanel {...common} jobs={[]} now={now} />).lastFrame()).toContain(
      "no jobs reported",
    );
  });

  it("backups list newest first with age, size, kind and verified or damaged state", () => {
    const frame = render(
      <BackupsPanel
        {...common}
        focused
        selected={1}
        now={now}
        backups={[
          {
            file: "a.db",
            createdAt: "2026-11-22T10:00:00Z",
            sizeBytes: 2_000_000,
            kind: "manual",
            state: "verified",
          },
          {
            file: "b.db",
            createdAt: "2026-11-21T10:00:00Z",
            sizeBytes: 1_000_000,
            kind: "scheduled",
            state: "damaged",
          },
        ]}
      />,
    ).lastFrame()!;
    const lines = frame.split("\n");
    expect(lines.findIndex((l) => l.includes("5m 0s ago"))).toBeLessThan(
      lines.findIndex((l) => l.includes("1d 0h ago")),
    );
    expect(frame).toContain("✓ verified");
    expect(frame).toContain("damaged");
    expect(frame).toContain("›1d 0h ago"); // the selection marker
    expect(render(<BackupsPanel {...common} backups={[]} selected={0} now={now} />).lastFrame())
      .toContain("none yet");
  });

  it("the log tail shows levels and honours the filter", () => {
    const logs = [
      { at: "2026-11-22T10:00:00Z", level: "info", category: "bot", message: "Bot is ready!" },
      { at: "2026-11-22T10:01:00Z", level: "error", category: "db", message: "disk full" },
    ];
    const all = render(<LogPanel {...common} logs={logs} filter="" now={now} />).lastFrame()!;
    expect(all).toContain("Bot is ready!");
    expect(all).toContain("ERRO disk full");
    const filtered = render(<LogPanel {...common} logs={logs} filter="disk" now={now} />)
      .lastFrame()!;
    expect(filtered).not.toContain("Bot is ready!");
    expect(filtered).toContain("filter: disk");
    expect(render(<LogPanel {...common} logs={logs} filter="zzz" now={now} />).lastFrame())
      .toContain("no line matches");
  });
});
