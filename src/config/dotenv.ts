/** A small `.env` reader: `KEY=value` lines, `#` comments, optional `export`, quotes. */

/** A line of a `.env` file that could not be read. */
export interface DotenvProblem {
  line: number;
  text: string;
}

/** Parses `.env` text into variables; lines that are not `KEY=value` are returned as problems. */
export function parseDotenv(
  text: string,
): { values: Record<string, string>; problems: DotenvProblem[] } {
  const values: Record<string, string> = {};
  const problems: DotenvProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      problems.push({ line: index + 1, text: line.slice(0, 40) });
      return;
    }
    const [, key, rest] = match as unknown as [string, string, string];
    values[key] = unquote(rest);
  });
  return { values, problems };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const end = value.indexOf(quote, 1);
    if (end > 0) {
      const inner = value.slice(1, end);
      return quote === '"' ? inner.replaceAll("\\n", "\n").replaceAll('\\"', '"') : inner;
    }
  }
  const hash = value.search(/\s#/);
  return (hash >= 0 ? value.slice(0, hash) : value).trim();
}
