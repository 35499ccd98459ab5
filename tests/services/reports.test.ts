import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createReportsRepo } from "../../src/store/reports_repo.ts";
import { createCountersRepo } from "../../src/store/counters_repo.ts";
import { createPersistedCounters } from "../../src/ops/counters.ts";
import {
  COUNTER_COMMANDS,
  COUNTER_COMMANDS_FAILED,
  createReporter,
  renderReport,
} from "../../src/services/reports.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";
import { seedGame } from "./ops_store_helpers.ts";

const HOUR = 3_600_000;
let store: Store | undefined;
afterEach(() => store?.close());

async function setup(options: { channels?: string[]; failPost?: boolean; enabled?: boolean } = {}) {
  store = openStore(join(await tempDir(), "blitz.db"));
  const now = Date.UTC(2026, 5, 30, 21); // 23:00 in Berlin
  const time = fakeTime(now);
  const counters = createPersistedCounters({
    repo: createCountersRepo(store),
    clock: time,
    logger: log("test"),
  });
  const posted: { channelId: string; body: { content: string; embeds: unknown[] } }[] = [];
  const reporter = createReporter({
    clock: time,
    logger: log("test"),
    timeZone: "Europe/Berlin",
    reports: createReportsRepo(store),
    counters,
    backupsMade: () => Promise.resolve(2),
    uptimeSeconds: () => 7200,
    healthFigures: () => ({
      memoryRssBytes: 64 * 1048576,
      databaseBytes: 3 * 1048576,
      health: "warning",
      activeAlerts: ["Memory (RSS): warning"],
    }),
    channels: () => options.channels ?? ["222"],
    post: (channelId, body) => {
      if (options.failPost) return Promise.reject(new Error("Missing Access"));
      posted.push({ channelId, body });
      return Promise.resolve();
    },
    enabled: () => options.enabled ?? true,
  });
  return { now, time, counters, reporter, posted };
}

describe("reports", () => {
  it("gathers the day's games, players, commands, errors and health", async () => {
    const { now, counters, reporter } = await setup();
    const s = store!;
    seedGame(s, {
      home: "alice",
      away: "bob",
      status: "completed",
      winner: "home",
      createdAt: now - 3 * HOUR,
      finishedAt: now - 2 * HOUR,
    });
    seedGame(s, {
      home: "alice",
      away: "carol",
      status: "completed",
      winner: "home",
      createdAt: now - 2 * HOUR,
      finishedAt: now - HOUR,
    });
    seedGame(s, {
      home: "dave",
      status: "forfeited",
      winner: "away",
      createdAt: now - HOUR,
      finishedAt: now - HOUR / 2,
    });
    seedGame(s, { home: "bob", away: "carol", status: "declined", createdAt: now - HOUR });
    seedGame(s, {
      home: "erin",
      away: "frank",
      status: "completed",
      winner: "away",
      createdAt: now - 30 * HOUR,
      finishedAt: now - 29 * HOUR,
    });
    counters.inc(COUNTER_COMMANDS, 40);
    counters.inc(COUNTER_COMMANDS_FAILED, 2);
    counters.inc("errors.command", 2);
    counters.inc("errors.discord", 1);
    const figures = await reporter.gather("daily");
    expect(figures.games).toEqual({
      started: 3,
      completed: 2,
      forfeited: 1,
      abandoned: 0,
      activePlayers: 4,
      topPlayers: [
        { id: "alice", name: "Alice", wins: 2, games: 2, rating: 1000 },
      ],
    });
    expect(figures).toMatchObject({
      commands: 40,
      commandErrors: 2,
      errorRatePercent: 5,
      errorsByCategory: { command: 2, discord: 1, database: 0, job: 0, http: 0 },
      backupsMade: 2,
      uptimeSeconds: 7200,
      health: "warning",
    });
    const weekly = await reporter.gather("weekly");
    expect(weekly.games.completed).toBe(3);
    expect(weekly.games.topPlayers.map((p) => p.id)).toEqual(["alice", "frank"]);
  });

  it("renders an embed with every figure", async () => {
    const { reporter } = await setup();
    const body = renderReport(await reporter.gather("daily"));
    const embed = body.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(embed.title).toBe("📊 Daily report — Tue, 30 Jun 2026");
    expect(embed.fields.map((f) => f.name)).toEqual([
      "Games played",
      "Games completed",
      "Forfeited / abandoned",
      "Active players",
      "Commands",
      "Error rate",
      "Top players",
      "Errors by category",
      "Uptime",
      "Backups made",
      "Memory (RSS)",
      "Database",
      "Health",
    ]);
    const field = (name: string) => embed.fields.find((f) => f.name === name)!.value;
    expect(field("Memory (RSS)")).toBe("64.0 MB");
    expect(field("Uptime")).toBe("2 h 0 min");
    expect(field("Health")).toBe("🟠 warning (Memory (RSS): warning)");
    expect(field("Top players")).toBe("No wins yet.");
  });

  it("posts to the stats channel, and says so when there is none or the feature is off", async () => {
    const posting = await setup();
    expect(await posting.reporter.post("daily")).toMatch(/^posted to 1 channel/);
    expect(posting.posted[0]!.channelId).toBe("222");
    store!.close();
    const none = await setup({ channels: [] });
    expect(await none.reporter.post("daily")).toBe("not posted: no stats channel is set");
    store!.close();
    const off = await setup({ enabled: false });
    expect(await off.reporter.post("weekly")).toMatch(/switched off/);
    expect(off.posted).toEqual([]);
  });

  it("fails when the report cannot be posted anywhere", async () => {
    const { reporter } = await setup({ failPost: true });
    await expect(reporter.post("daily")).rejects.toThrow(/Cannot post the daily report/);
  });
});
