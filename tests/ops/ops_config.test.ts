import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, dotenvPath: null });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("operations configuration", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({ env: {}, dotenvPath: null });
    expect(config).toMatchObject({
      backupCron: "0 4 * * *",
      reportCron: "0 23 * * *",
      healthIntervalSeconds: 300,
      logRetentionDays: 30,
      archiveAfterDays: 30,
      alertCooldownSeconds: 300,
      alertMemoryMb: { warning: 100, critical: 200 },
      alertErrorRatePercent: { warning: 1, critical: 5 },
      alertLatencyP95Ms: { warning: 500, critical: 2000 },
      alertDiskUsedPercent: { warning: 80, critical: 95 },
      alertBackupAgeHours: { warning: 26, critical: 50 },
      alertGatewayDownSeconds: { critical: 60 },
      circuitBreakerErrors: 5,
      faultInject: [],
    });
    expect(config.alertWebhookUrl).toBeUndefined();
  });

  it("makes an invalid cron expression a configuration error, listed with the others", () => {
    const problems = problemsOf({
      BACKUP_CRON: "0 25 * * *",
      REPORT_CRON: "at eleven",
      ALERT_MEMORY_MB: "warning=300,critical=200",
      HEALTH_INTERVAL_SECONDS: "0",
      ALERT_WEBHOOK_URL: "ftp://hooks",
      BLITZ_FAULT_INJECT: "blitz play",
    });
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/^BACKUP_CRON="0 25 \* \* \*" is not a valid cron expression/);
    expect(problems.some((p) => p.startsWith('REPORT_CRON="at eleven" is not a valid cron'))).toBe(
      true,
    );
    expect(
      problems.some((p) =>
        /ALERT_MEMORY_MB=.*critical level must be above the warning level/.test(p)
      ),
    )
      .toBe(true);
    expect(problems.some((p) => p.startsWith("HEALTH_INTERVAL_SECONDS"))).toBe(true);
    expect(problems.some((p) => p.startsWith("ALERT_WEBHOOK_URL=(hidden)"))).toBe(true);
    expect(problems.some((p) => p.startsWith("BLITZ_FAULT_INJECT"))).toBe(true);
  });

  it("reads thresholds, the webhook and fault injection", () => {
    const config = loadConfig({
      env: {
        ALERT_BACKUP_AGE_HOURS: "info=1,warning=0.5e2",
        ALERT_DATABASE_MB: "",
        ALERT_WEBHOOK_URL: "https://discord.com/api/webhooks/1/abc",
        BLITZ_FAULT_INJECT: "command:blitz play, command:blitz challenge",
      },
      dotenvPath: null,
    });
    expect(config.alertBackupAgeHours).toEqual({ info: 1, warning: 50 });
    expect(config.alertDatabaseMb).toEqual({});
    expect(config.alertWebhookUrl).toBe("https://discord.com/api/webhooks/1/abc");
    expect(config.faultInject).toEqual(["command:blitz play", "command:blitz challenge"]);
  });
});
