/** Which slice of a list fits a panel so the selected row stays visible. */

/** The first index to show so `selected` is within `rows` rows of `total` items. */
export function windowStart(total: number, rows: number, selected: number): number {
  if (rows <= 0 || total <= rows) return 0;
  const clamped = Math.max(0, Math.min(total - 1, selected));
  return Math.max(0, Math.min(total - rows, clamped - Math.floor(rows / 2)));
}
