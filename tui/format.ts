/** Formatting helpers for the dashboard: sizes, durations, ages, sparklines, colours. */

/** "12.3 MB" style sizes (1000-based, as `ls -lh` users expect MB to read). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = value >= 100 || unit === 0
    ? String(Math.round(value))
    : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/** "3d 4h", "2h 5m", "4m 10s", "12s". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Age of an ISO time relative to `now`, e.g. "5m ago". */
export function formatAge(iso: string | undefined, now: number): string {
  if (!iso) return "—";
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "—";
  return now >= at
    ? `${formatDuration((now - at) / 1000)} ago`
    : `in ${formatDuration((at - now) / 1000)}`;
}

/** Local clock time "HH:MM" (or "Mon HH:MM" when not today) of an ISO time. */
export function formatLocalTime(iso: string | undefined, now: number, timeZone?: string): string {
  if (!iso) return "—";
  const at = new Date(iso);
  if (!Number.isFinite(at.getTime())) return "—";
  const sameDay = Math.abs(at.getTime() - now) < 20 * 3600 * 1000;
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    ...(sameDay ? {} : { weekday: "short" }),
  }).format(at);
}

const BARS = "▁▂▃▄▅▆▇█";

/** A sparkline of the last `width` values, scaled between their min and max. */
export function sparkline(values: number[], width: number): string {
  const tail = values.slice(-width);
  if (tail.length === 0) return "";
  const min = Math.min(...tail), max = Math.max(...tail);
  const span = max - min || 1;
  return tail.map((v) =>
    BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / span) * (BARS.length - 1)))]
  ).join("");
}

/** Colour names only when colour is wanted (NO_COLOR unset). */
export function colour(name: string, enabled: boolean): string | undefined {
  return enabled ? name : undefined;
}

/** Cuts `text` to `width` characters with an ellipsis. */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
