/** The CLI's output layer: the only place that writes to stdout/stderr directly. */

/** Writes a line to stdout. */
export function printLine(text = ""): void {
  console.log(text);
}

/** Writes a line to stderr. */
export function printError(text: string): void {
  console.error(text);
}
