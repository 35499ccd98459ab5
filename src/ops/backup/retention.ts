/**
 * The retention rule "which backups go?", as a pure function over plain data and an injected
 * "now": no file system, no clock. Scheduled backups: keep the newest `keep`, plus the newest
 * backup of each calendar day (in `timeZone`) for the last `keepDays` days, today included.
 * Manual, pre-restore and pre-tournament backups are kept, unless `allKinds` is set: then each
 * kind is pruned by the same rule as a series of its own.
 */
import type { BackupKind } from "./manifest.ts";

/** What the rule needs to know of one backup. */
export interface RetentionCandidate {
  file: string;
  kind: BackupKind;
  /** When the snapshot was taken, ms since the epoch. */
  createdAtMs: number;
}

/** The rule's parameters (BACKUP_KEEP, BACKUP_KEEP_DAYS, BLITZ_TIMEZONE, `--all-kinds`). */
export interface RetentionRule {
  /** Newest backups kept per series, at least 1. */
  keep: number;
  /** Calendar days (today included) that keep their newest backup; 0 turns this off. */
  keepDays: number;
  /** IANA time zone whose calendar days count. */
  timeZone: string;
  /** Prune manual, pre-restore and pre-tournament backups too (each kind its own series). */
  allKinds: boolean;
}

/** One decision, with the reason an operator sees in `blitz backup prune --dry-run`. */
export interface RetentionVerdict {
  file: string;
  kind: BackupKind;
  createdAtMs: number;
  reason: string;
}

/** The rule's answer: every candidate lands in exactly one list, newest first. */
export interface RetentionPlan {
  keep: RetentionVerdict[];
  prune: RetentionVerdict[];
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day of `ms` in `timeZone`: its ISO date and a day number for arithmetic. */
export function localDay(ms: number, timeZone: string): { date: string; index: number } {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dayFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
  );
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    index: Math.round(Date.UTC(year, month - 1, day) / 86_400_000),
  };
}

/** Decides which backups the rule keeps and which it prunes, as of `nowMs`. */
export function planRetention(
  candidates: readonly RetentionCandidate[],
  rule: RetentionRule,
  nowMs: number,
): RetentionPlan {
  if (!Number.isInteger(rule.keep) || rule.keep < 1) {
    throw new RangeError(`keep must be at least 1, got ${rule.keep}`);
  }
  if (!Number.isInteger(rule.keepDays) || rule.keepDays < 0) {
    throw new RangeError(`keepDays must be 0 or more, got ${rule.keepDays}`);
  }
  const today = localDay(nowMs, rule.timeZone).index;
  const newestFirst = [...candidates].sort((a, b) =>
    b.createdAtMs - a.createdAtMs || b.file.localeCompare(a.file)
  );
  const plan: RetentionPlan = { keep: [], prune: [] };
  const series = new Map<BackupKind, RetentionCandidate[]>();
  for (const candidate of newestFirst) {
    if (candidate.kind !== "scheduled" && !rule.allKinds) {
      plan.keep.push({
        ...candidate,
        reason: `${candidate.kind} backups are kept until pruned with --all-kinds`,
      });
      continue;
    }
    const list = series.get(candidate.kind) ?? [];
    list.push(candidate);
    series.set(candidate.kind, list);
  }
  for (const list of series.values()) {
    const daysSeen = new Set<number>();
    let position = 0;
    for (const candidate of list) {
      if (candidate.createdAtMs > nowMs) {
        // Clock skew: keep it, and do not let it take the place of a real newest backup.
        plan.keep.push({ ...candidate, reason: "dated in the future (clock skew?): kept" });
        continue;
      }
      const day = localDay(candidate.createdAtMs, rule.timeZone);
      const newestOfDay = !daysSeen.has(day.index);
      daysSeen.add(day.index);
      let reason: string | undefined;
      if (position++ < rule.keep) reason = `one of the newest ${rule.keep} ${candidate.kind}`;
      else if (newestOfDay && today - day.index < rule.keepDays) {
        reason = `newest of ${day.date} (one per day for ${rule.keepDays} days)`;
      }
      if (reason) plan.keep.push({ ...candidate, reason });
      else {
        plan.prune.push({
          ...candidate,
          reason: newestOfDay
            ? `older than ${rule.keepDays} days and not among the newest ${rule.keep}`
            : `not the newest of ${day.date} and not among the newest ${rule.keep}`,
        });
      }
    }
  }
  const byTime = (a: RetentionVerdict, b: RetentionVerdict) =>
    b.createdAtMs - a.createdAtMs || b.file.localeCompare(a.file);
  plan.keep.sort(byTime);
  plan.prune.sort(byTime);
  return plan;
}
