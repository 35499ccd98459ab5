import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createJobRunsRepo } from "../../src/store/jobs_repo.ts";
import { createReportsRepo } from "../../src/store/reports_repo.ts";
import {
  MaintenanceFailedError,
  runMaintenance,
  summarizeMaintenance,
} from "../../src/services/maintenance.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";
import { seedGame } from "./ops_store_helpers.ts";

const DAY = 86_400_000;
let store: Store | undefined;
afterEach(() => store?.close());

async function setup() {
  const dataDir = await tempDir();
  store = openStore(join(dataDir, "blitz.db"));
  const now = Date.UTC(2026, 5, 30, 4, 30);
  const time = fakeTime(now);
  return {
    dataDir,
    now,
    deps: {
      store,
      clock: time,
      logger: log("test"),
      dataDir,
      logRetentionDays: 30,
      archiveAfterDays: 30,
      jobRuns: createJobRunsRepo(store),
      reports: createReportsRepo(store),
    },
  };
}

describe("maintenance", () => {
  it("archives old finished games: keeps the result, drops the play-by-play", async () => {
    const { deps, now } = await setup();
    const old = seedGame(store!, {
      home: "alice",
      away: "bob",
      status: "completed",
      winner: "home",
      createdAt: now - 40 * DAY,
      finishedAt: now - 40 * DAY,
      picks: "abcdefgh",
    });
    const recent = seedGame(store!, {
      home: "carol",
      status: "completed",
      winner: "home",
      createdAt: now - 2 * DAY,
      finishedAt: now - 2 * DAY,
      picks: "abcd",
    });
    const open = seedGame(store!, {
      home: "dave",
      status: "active",
      createdAt: now - 60 * DAY,
      picks: "ab",
    });
    const result = await runMaintenance(deps);
    expect(result.gamesArchived).toBe(1);
    const row = (id: number) =>
      store!.prepare("SELECT picks, archived, winner, home_score, status FROM games WHERE id = ?")
        .get(id);
    expect(row(old)).toEqual({
      picks: "",
      archived: 1,
      winner: "home",
      home_score: 10,
      status: "completed",
    });
    expect(row(recent)).toMatchObject({ picks: "abcd", archived: 0 });
    expect(row(open)).toMatchObject({ picks: "ab", archived: 0 });
    const player = store!.prepare("SELECT wins FROM players WHERE id = 'alice'").get() as {
      wins: number;
    };
    expect(player.wins).toBe(1);
    expect(result.vacuum).toBeDefined();
    expect(result.integrityProblems).toEqual([]);
  });

  it("prunes job records and rotated logs older than the retention, and backups by their rule", async () => {
    const { deps, now, dataDir } = await setup();
    const runs = deps.jobRuns;
    for (const age of [40, 10]) {
      const id = runs.startRun({
        job: "health",
        trigger: "schedule",
        attempt: 1,
        scheduled_at: null,
        started_at: now - age * DAY,
      });
      runs.finishRun(id, "success", now - age * DAY, "ok");
    }
    await Deno.mkdir(join(dataDir, "logs"));
    await Deno.writeTextFile(join(dataDir, "logs", "blitz.log.3"), "old");
    const old = new Date(now - 31 * DAY);
    await Deno.utime(join(dataDir, "logs", "blitz.log.3"), old, old);
    const result = await runMaintenance({ ...deps, pruneBackups: () => Promise.resolve(["a.db"]) });
    expect(result.jobRunsDeleted).toBe(1);
    expect(result.logFilesDeleted).toEqual(["blitz.log.3"]);
    expect(result.backupsPruned).toEqual(["a.db"]);
    expect(summarizeMaintenance(result)).toMatch(
      /^quick_check ok, 0 game\(s\) archived, 1 job record\(s\) and 1 log file\(s\) pruned, 1 backup\(s\) pruned, VACUUM reclaimed \d+ bytes/,
    );
  });

  it("runs the other steps when one fails, then fails the run with what went wrong", async () => {
    const { deps } = await setup();
    const error = await runMaintenance({
      ...deps,
      pruneBackups: () => Promise.reject(new Error("backups directory is not writable")),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(MaintenanceFailedError);
    expect(error.message).toMatch(/prune backups: backups directory is not writable/);
    expect(error.result.vacuum).toBeDefined();
  });
});
