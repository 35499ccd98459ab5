/**
 * The alerter: feeds rule verdicts through the cooldown state machine and delivers what it
 * decides — to the log always, to the admin channels, and to `ALERT_WEBHOOK_URL` when the
 * channels cannot be reached (gateway down, a send failed, or no channel configured). A
 * delivery that fails is logged with the full alert and counted: nothing is lost silently.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { RuleVerdict, Severity } from "./alert_rules.ts";
import { formatDuration } from "./alert_rules.ts";
import { type AlertDecision, type AlertTrack, decideAlert, initialTrack } from "./alert_state.ts";

/** A Discord message body (snake_case), as channels and webhooks take it. */
export interface AlertMessageBody {
  content: string;
  embeds: Record<string, unknown>[];
}

/** One alert as sent, kept for `/api/status` and the dashboard. */
export interface AlertRecord {
  /** ms since the epoch. */
  at: number;
  rule: string;
  title: string;
  kind: "alert" | "reminder" | "resolved" | "notice";
  severity: Severity;
  value: string;
  threshold: string | null;
  advice: string;
  /** Where it was delivered: "channel:<id>", "webhook", or nothing but the log. */
  deliveredTo: string[];
  failedTo: string[];
}

/** A rule that is tripped right now. */
export interface ActiveAlert {
  rule: string;
  title: string;
  severity: Severity;
  since: number;
  value: string;
  announced: boolean;
}

/** What a rule, job or breaker reports to the alerter. */
export type AlertInput =
  & Pick<RuleVerdict, "rule" | "title" | "severity" | "display" | "advice">
  & { threshold?: number | null; unit?: string };

/** Options for {@link createAlerter}. */
export interface AlerterOptions {
  clock: Clock;
  logger: Logger;
  cooldownMs: number;
  /** The admin channels (ADMIN_CHANNEL_ID and guilds' own). */
  channels: () => string[];
  postToChannel: (channelId: string, body: AlertMessageBody) => Promise<void>;
  webhookUrl?: string;
  fetch?: typeof fetch;
  /** Is the gateway up? When not, the webhook is used too. */
  gatewayUp: () => boolean;
  /** Is the "alerts" feature on? When off, alerts go to the log only. */
  enabled: () => boolean;
  /** A delivery failed (counted in metrics and the error tracker). */
  onDeliveryFailure?: (target: "channel" | "webhook", error: unknown) => void;
  /** Every alert decided (sent, or suppressed by the cooldown). */
  onDecision?: (rule: string, decision: AlertDecision) => void;
  /** Every alert record (events for the live stream). */
  onRecord?: (record: AlertRecord) => void;
  /** Recent alerts kept (default 100). */
  capacity?: number;
}

/** The alerter. */
export interface Alerter {
  /** Feeds a verdict (severity null: the rule is fine). */
  update(input: AlertInput): Promise<void>;
  /** Feeds every verdict of one health check. */
  evaluate(verdicts: readonly RuleVerdict[]): Promise<void>;
  /** A one-off notice ("backup done"), under the same cooldown per (rule, severity). */
  notice(input: Omit<AlertInput, "severity"> & { severity?: Severity }): Promise<void>;
  active(): ActiveAlert[];
  /** Newest first. */
  recent(limit?: number): AlertRecord[];
}

const ICONS: Record<Severity, string> = { info: "ℹ️", warning: "🟠", critical: "🔴" };
const COLORS: Record<Severity, number> = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626 };

function thresholdText(input: AlertInput): string | null {
  if (input.threshold === null || input.threshold === undefined) return null;
  return `${input.threshold} ${input.unit ?? ""}`.trim();
}

/** The Discord message of an alert record. */
export function renderAlert(record: AlertRecord, since?: number): AlertMessageBody {
  const label = record.severity.toUpperCase();
  if (record.kind === "resolved") {
    const lasted = since === undefined
      ? ""
      : ` after ${formatDuration((record.at - since) / 1000)}`;
    return {
      content: `✅ Resolved: ${record.title} is back within limits (${record.value})`,
      embeds: [{
        title: `✅ RESOLVED: ${record.title}`,
        description: `Back within limits: **${record.value}** (was ${record.severity}${lasted}).`,
        color: 0x16a34a,
        footer: { text: `rule ${record.rule}` },
        timestamp: new Date(record.at).toISOString(),
      }],
    };
  }
  const still = record.kind === "reminder" ? " (still)" : "";
  const fields: Record<string, unknown>[] = [
    { name: "Value", value: record.value, inline: true },
  ];
  if (record.threshold) fields.push({ name: "Threshold", value: record.threshold, inline: true });
  if (record.advice) fields.push({ name: "What to do", value: record.advice, inline: false });
  return {
    content: `${ICONS[record.severity]} ${label}${still}: ${record.title}: ${record.value}${
      record.threshold ? ` (threshold ${record.threshold})` : ""
    }`,
    embeds: [{
      title: `${ICONS[record.severity]} ${label}${still}: ${record.title}`,
      color: COLORS[record.severity],
      fields,
      footer: { text: `rule ${record.rule}` },
      timestamp: new Date(record.at).toISOString(),
    }],
  };
}

/** Creates the alerter. */
export function createAlerter(options: AlerterOptions): Alerter {
  const { clock, logger } = options;
  const fetchFn = options.fetch ?? fetch;
  const capacity = options.capacity ?? 100;
  const tracks = new Map<string, AlertTrack & { title: string; value: string }>();
  const records: AlertRecord[] = [];

  const postWebhook = async (body: AlertMessageBody) => {
    const response = await fetchFn(options.webhookUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "Blitz alerts", ...body }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
  };

  const deliver = async (record: AlertRecord, since?: number) => {
    const logLine = "[Alert] {kind} {severity} {title}: {value}{threshold} — {advice}";
    const props = {
      kind: record.kind,
      severity: record.severity,
      title: record.title,
      value: record.value,
      threshold: record.threshold ? ` (threshold ${record.threshold})` : "",
      advice: record.advice,
      rule: record.rule,
    };
    if (record.kind === "resolved" || record.severity === "info") logger.info(logLine, props);
    else if (record.severity === "warning") logger.warn(logLine, props);
    else logger.error(logLine, props);

    if (!options.enabled()) {
      logger.info("[Alert] Not sent to Discord: the alerts feature is switched off");
    } else {
      const body = renderAlert(record, since);
      const channels = [...new Set(options.channels())];
      let channelFailed = false;
      for (const channelId of channels) {
        try {
          await options.postToChannel(channelId, body);
          record.deliveredTo.push(`channel:${channelId}`);
        } catch (error) {
          channelFailed = true;
          record.failedTo.push(`channel:${channelId}`);
          logger.error(
            "[Alert] Cannot post the alert to channel {channelId}: {error}. The alert was: {text}",
            { channelId, error, text: body.content },
          );
          options.onDeliveryFailure?.("channel", error);
        }
      }
      const useWebhook = options.webhookUrl &&
        (channels.length === 0 || channelFailed || !options.gatewayUp());
      if (useWebhook) {
        try {
          await postWebhook(body);
          record.deliveredTo.push("webhook");
        } catch (error) {
          record.failedTo.push("webhook");
          logger.error(
            "[Alert] Cannot post the alert to ALERT_WEBHOOK_URL: {error}. The alert was: {text}",
            { error, text: body.content },
          );
          options.onDeliveryFailure?.("webhook", error);
        }
      }
      if (channels.length === 0 && !options.webhookUrl) {
        logger.warn(
          "[Alert] No admin channel is set: set ADMIN_CHANNEL_ID (or /admin settings admin_channel, or ALERT_WEBHOOK_URL) to get alerts in Discord",
        );
      }
    }
    records.push(record);
    if (records.length > capacity) records.splice(0, records.length - capacity);
    try {
      options.onRecord?.(record);
    } catch { /* listeners never break alerting */ }
  };

  const update = async (input: AlertInput) => {
    const now = clock.now();
    const previous = tracks.get(input.rule);
    const { track, decision } = decideAlert(
      previous ?? initialTrack(),
      input.severity,
      now,
      options.cooldownMs,
    );
    tracks.set(input.rule, { ...track, title: input.title, value: input.display });
    try {
      options.onDecision?.(input.rule, decision);
    } catch { /* metrics never break alerting */ }
    const base = {
      at: now,
      rule: input.rule,
      title: input.title,
      value: input.display,
      threshold: thresholdText(input),
      advice: input.advice,
      deliveredTo: [],
      failedTo: [],
    };
    if (decision.kind === "fire") {
      await deliver({
        ...base,
        kind: decision.reminder ? "reminder" : "alert",
        severity: decision.severity,
      });
    } else if (decision.kind === "resolve") {
      await deliver({ ...base, kind: "resolved", severity: decision.previous }, decision.since);
    } else if (decision.kind === "suppress") {
      logger.debug("[Alert] {rule} {severity} suppressed by the cooldown", {
        rule: input.rule,
        severity: decision.severity,
      });
    }
  };

  return {
    update,
    async evaluate(verdicts) {
      for (const verdict of verdicts) await update(verdict);
    },
    async notice(input) {
      const severity = input.severity ?? "info";
      const now = clock.now();
      const key = `${input.rule}`;
      const { track, decision } = decideAlert(
        tracks.get(key) ?? initialTrack(),
        severity,
        now,
        options.cooldownMs,
      );
      // A notice is a moment, not a state: forget the trip so no "resolved" follows.
      tracks.set(key, {
        severity: null,
        announced: false,
        lastSent: track.lastSent,
        title: input.title,
        value: input.display,
      });
      if (decision.kind !== "fire") return;
      await deliver({
        at: now,
        rule: input.rule,
        title: input.title,
        value: input.display,
        threshold: thresholdText({ ...input, severity }),
        advice: input.advice,
        kind: "notice",
        severity,
        deliveredTo: [],
        failedTo: [],
      });
    },
    active() {
      const out: ActiveAlert[] = [];
      for (const [rule, track] of tracks) {
        if (track.severity === null) continue;
        out.push({
          rule,
          title: track.title,
          severity: track.severity,
          since: track.since ?? clock.now(),
          value: track.value,
          announced: track.announced,
        });
      }
      return out;
    },
    recent(limit = 20) {
      return records.slice(-limit).reverse();
    },
  };
}
