import { describe, expect, it } from "vitest";
import {
  evaluateRules,
  formatDuration,
  levelFor,
  overallStatus,
} from "../../src/ops/alert_rules.ts";
import type { HealthSample } from "../../src/ops/monitor.ts";
import { healthySample } from "./ops_helpers.ts";
import { alertThresholdsOf, loadConfig, parseThresholdLevels } from "../../src/config/mod.ts";

const MB = 1024 * 1024;
const thresholds = alertThresholdsOf(loadConfig({ env: {}, dotenvPath: null }));

const tripped = (sample: HealthSample) =>
  Object.fromEntries(
    evaluateRules(sample, thresholds).filter((v) => v.severity).map((v) => [v.rule, v.severity]),
  );

describe("alert rules", () => {
  it("passes a healthy sample", () => {
    expect(tripped(healthySample())).toEqual({});
    expect(overallStatus(evaluateRules(healthySample(), thresholds))).toBe("ok");
  });

  it("trips the documented defaults at warning and critical", () => {
    const s = healthySample();
    s.memory.heapUsedBytes = 150 * MB;
    s.disk!.usedPercent = 85;
    s.commands = { ...s.commands, count: 200, errors: 4, errorRatePercent: 2, p95Ms: 2500 };
    s.backup.lastVerifiedAgeSeconds = 27 * 3600;
    s.gateway = {
      connected: false,
      heartbeatAcknowledged: false,
      latencyMs: null,
      downSeconds: 61,
    };
    s.errors.last10m = 11;
    s.errors.byCategory10m.database = 6;
    expect(tripped(s)).toEqual({
      memory: "warning",
      disk: "warning",
      error_rate: "warning",
      latency_p95: "critical",
      backup_age: "warning",
      gateway_down: "critical",
      errors: "warning",
      database_errors: "critical",
    });
    expect(overallStatus(evaluateRules(s, thresholds))).toBe("critical");
    s.memory.heapUsedBytes = 201 * MB;
    s.commands.errorRatePercent = 6;
    expect(tripped(s).memory).toBe("critical");
    expect(tripped(s).error_rate).toBe("critical");
  });

  it("trips only above a threshold, not at it", () => {
    const s = healthySample();
    s.memory.heapUsedBytes = 100 * MB;
    s.errors.last10m = 10;
    expect(tripped(s)).toEqual({});
  });

  it("does not judge the error rate or latency on too few commands", () => {
    const s = healthySample();
    s.commands = { ...s.commands, count: 2, errors: 1, errorRatePercent: 50, p95Ms: 9000 };
    expect(tripped(s)).toEqual({});
  });

  it("measures a missing backup from when Blitz was set up", () => {
    const s = healthySample();
    s.backup.lastVerifiedAgeSeconds = null;
    s.backup.installedAgeSeconds = 3600;
    expect(tripped(s).backup_age).toBeUndefined();
    s.backup.installedAgeSeconds = 27 * 3600;
    const verdict = evaluateRules(s, thresholds).find((v) => v.rule === "backup_age")!;
    expect(verdict.severity).toBe("warning");
    expect(verdict.display).toMatch(/none yet/);
    expect(verdict.advice).toMatch(/\/admin backup/);
  });

  it("gives every verdict a value, a threshold and what to do", () => {
    const s = healthySample();
    s.memory.heapUsedBytes = 250 * MB;
    const memory = evaluateRules(s, thresholds).find((v) => v.rule === "memory")!;
    expect(memory).toMatchObject({ severity: "critical", value: 250, unit: "MB", threshold: 200 });
    expect(memory.display).toBe("250 MB (RSS 60 MB)");
    expect(memory.advice.length).toBeGreaterThan(10);
  });
});

describe("threshold levels", () => {
  it("picks the most severe level passed", () => {
    const levels = { info: 50, warning: 100, critical: 200 };
    expect(levelFor(40, levels)).toBeNull();
    expect(levelFor(60, levels)).toEqual({ severity: "info", threshold: 50 });
    expect(levelFor(150, levels)).toEqual({ severity: "warning", threshold: 100 });
    expect(levelFor(201, levels)).toEqual({ severity: "critical", threshold: 200 });
    expect(levelFor(1e9, {})).toBeNull();
  });

  it("parses levels from the environment and refuses bad ones", () => {
    expect(parseThresholdLevels("warning=100,critical=200")).toEqual({
      warning: 100,
      critical: 200,
    });
    expect(parseThresholdLevels("info=0.5")).toEqual({ info: 0.5 });
    expect(parseThresholdLevels("80")).toEqual({ warning: 80 });
    expect(parseThresholdLevels("")).toEqual({});
    expect(() => parseThresholdLevels("warning=200,critical=100")).toThrow(/above/);
    expect(() => parseThresholdLevels("severe=1")).toThrow(/not a level/);
    expect(() => parseThresholdLevels("warning=x")).toThrow(/not a number/);
  });

  it("formats durations for people", () => {
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(formatDuration(2 * 86400 + 3600)).toBe("2 d 1 h");
    expect(formatDuration(Infinity)).toBe("never");
  });
});
