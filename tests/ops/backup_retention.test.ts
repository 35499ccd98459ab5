import { describe, expect, it } from "vitest";
import {
  localDay,
  planRetention,
  type RetentionCandidate,
  type RetentionRule,
} from "../../src/ops/backup/retention.ts";
import type { BackupKind } from "../../src/ops/backup/manifest.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rule: RetentionRule = { keep: 7, keepDays: 30, timeZone: "UTC", allKinds: false };

function backup(ms: number, kind: BackupKind = "scheduled"): RetentionCandidate {
  const stamp = new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
  return { file: `blitz-${stamp}-${kind}.db`, kind, createdAtMs: ms };
}

const start = Date.UTC(2026, 0, 1); // 2026-01-01 00:00 UTC

describe("backup retention rule", () => {
  it("keeps the newest 7 plus the newest of each of the last 30 days, pruning the rest, across a simulated month", () => {
    // Four scheduled backups a day (00, 06, 12, 18 UTC) for 45 days; "now" is day 45 at 19:00.
    const all: RetentionCandidate[] = [];
    for (let day = 0; day < 45; day++) {
      for (const hour of [0, 6, 12, 18]) all.push(backup(start + day * DAY + hour * HOUR));
    }
    const now = start + 44 * DAY + 19 * HOUR;
    const plan = planRetention(all, rule, now);

    // Newest 7: all four of day 45 and 18/12/06 of day 44. Newest of each day for days 16..45
    // (30 days) adds 28 more (days 44 and 45 are already in). 35 kept, 180 - 35 pruned.
    expect(plan.keep).toHaveLength(35);
    expect(plan.prune).toHaveLength(180 - 35);
    const kept = new Set(plan.keep.map((k) => k.createdAtMs));
    for (const hour of [0, 6, 12, 18]) expect(kept.has(start + 44 * DAY + hour * HOUR)).toBe(true);
    for (const hour of [6, 12, 18]) expect(kept.has(start + 43 * DAY + hour * HOUR)).toBe(true);
    expect(kept.has(start + 43 * DAY)).toBe(false); // day 44 00:00: neither newest 7 nor newest of its day
    for (let day = 15; day < 43; day++) {
      expect(kept.has(start + day * DAY + 18 * HOUR)).toBe(true);
      for (const hour of [0, 6, 12]) expect(kept.has(start + day * DAY + hour * HOUR)).toBe(false);
    }
    for (let day = 0; day < 15; day++) {
      for (const hour of [0, 6, 12, 18]) {
        expect(kept.has(start + day * DAY + hour * HOUR)).toBe(false);
      }
    }
    // Every candidate lands in exactly one list.
    expect(new Set([...plan.keep, ...plan.prune].map((v) => v.file)).size).toBe(all.length);
  });

  it("prunes daily during a simulated month and settles at exactly keepDays daily backups", () => {
    // The scheduler's life: one backup a day at 04:00, prune right after, for 60 days.
    let stored: RetentionCandidate[] = [];
    const counts: number[] = [];
    for (let day = 0; day < 60; day++) {
      const now = start + day * DAY + 4 * HOUR;
      stored.push(backup(now));
      const plan = planRetention(stored, rule, now + 60_000);
      const going = new Set(plan.prune.map((p) => p.file));
      stored = stored.filter((b) => !going.has(b.file));
      counts.push(stored.length);
    }
    expect(counts.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(counts.slice(30)).toEqual(Array(30).fill(30));
    // What is left is exactly the last 30 days.
    const days = stored.map((b) => new Date(b.createdAtMs).toISOString().slice(0, 10)).sort();
    expect(days[0]).toBe(new Date(start + 30 * DAY).toISOString().slice(0, 10));
    expect(days.at(-1)).toBe(new Date(start + 59 * DAY).toISOString().slice(0, 10));
  });

  it("keeps only the newest 7 when keepDays is 0", () => {
    const all = Array.from({ length: 20 }, (_, i) => backup(start + i * HOUR));
    const plan = planRetention(all, { ...rule, keepDays: 0 }, start + DAY);
    expect(plan.keep.map((k) => k.createdAtMs)).toEqual(
      Array.from({ length: 7 }, (_, i) => start + (19 - i) * HOUR),
    );
    expect(plan.prune).toHaveLength(13);
  });

  it("keeps manual, pre-restore and pre-tournament backups unless --all-kinds", () => {
    const all = [
      ...Array.from({ length: 40 }, (_, i) => backup(start + i * DAY, "manual")),
      backup(start, "pre-restore"),
      backup(start + HOUR, "pre-tournament"),
      ...Array.from({ length: 40 }, (_, i) => backup(start + i * DAY + 4 * HOUR, "scheduled")),
    ];
    const now = start + 40 * DAY;
    const normal = planRetention(all, rule, now);
    expect(normal.prune.every((p) => p.kind === "scheduled")).toBe(true);
    expect(normal.keep.filter((k) => k.kind !== "scheduled")).toHaveLength(42);
    expect(normal.keep.find((k) => k.kind === "manual")?.reason).toMatch(/--all-kinds/);

    const everything = planRetention(all, { ...rule, allKinds: true }, now);
    // Each kind is a series of its own. "Now" is the day after the last backup: the 30 days are
    // days 12..41 of which 11..39 (0-based) hold a backup → 29 per series; the newest 7 are among them.
    expect(everything.keep.filter((k) => k.kind === "manual")).toHaveLength(29);
    expect(everything.keep.filter((k) => k.kind === "scheduled")).toHaveLength(29);
    expect(everything.keep.filter((k) => k.kind === "pre-restore")).toHaveLength(1);
    expect(everything.keep.filter((k) => k.kind === "pre-tournament")).toHaveLength(1);
    expect(everything.prune.filter((k) => k.kind === "manual")).toHaveLength(11);
    expect(normal.keep.filter((k) => k.kind === "scheduled")).toHaveLength(29);
  });

  it("counts calendar days in the configured time zone, across a DST change", () => {
    // Europe/Berlin leaves summer time on 2026-10-25. Backups at 22:30 UTC belong to the next Berlin day.
    const berlin = { ...rule, keep: 1, keepDays: 3, timeZone: "Europe/Berlin" };
    const oct23 = Date.UTC(2026, 9, 23, 22, 30); // 2026-10-24 00:30 Berlin (CEST)
    const oct24 = Date.UTC(2026, 9, 24, 21, 30); // 2026-10-24 23:30 Berlin: same Berlin day as oct23
    const oct25 = Date.UTC(2026, 9, 25, 22, 30); // 2026-10-25 23:30 Berlin (CET)
    const oct26 = Date.UTC(2026, 9, 26, 3, 0); // 2026-10-26 04:00 Berlin
    expect(localDay(oct23, "Europe/Berlin").date).toBe("2026-10-24");
    expect(localDay(oct24, "Europe/Berlin").date).toBe("2026-10-24");
    expect(localDay(oct25, "Europe/Berlin").date).toBe("2026-10-25");
    const plan = planRetention(
      [oct23, oct24, oct25, oct26].map((ms) => backup(ms)),
      berlin,
      oct26 + HOUR,
    );
    expect(plan.keep.map((k) => k.createdAtMs)).toEqual([oct26, oct25, oct24]);
    expect(plan.prune.map((k) => k.createdAtMs)).toEqual([oct23]);
    expect(plan.prune[0]!.reason).toMatch(/not the newest of 2026-10-24/);
    // In UTC the same backups fall on four different days: with 3 days kept, oct23 goes for age.
    const utc = planRetention([oct23, oct24, oct25, oct26].map((ms) => backup(ms)), {
      ...berlin,
      timeZone: "UTC",
    }, oct26 + HOUR);
    expect(utc.prune[0]!.reason).toMatch(/older than 3 days/);
  });

  it("keeps a backup dated in the future without letting it displace the real newest one", () => {
    const future = start + 10 * DAY;
    const past = Array.from({ length: 9 }, (_, i) => backup(start + i * HOUR));
    const plan = planRetention(
      [backup(future), ...past],
      { ...rule, keep: 1, keepDays: 0 },
      start + DAY,
    );
    expect(plan.keep.map((k) => k.createdAtMs)).toEqual([future, start + 8 * HOUR]);
    expect(plan.keep[0]!.reason).toMatch(/future/);
    expect(plan.prune).toHaveLength(8);
  });

  it("refuses a rule that would keep nothing", () => {
    expect(() => planRetention([], { ...rule, keep: 0 }, start)).toThrow(RangeError);
    expect(() => planRetention([], { ...rule, keepDays: -1 }, start)).toThrow(RangeError);
  });
});
