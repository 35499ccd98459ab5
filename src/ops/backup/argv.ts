/**
 * Command lines as argv, without a shell: `BACKUP_POST_COMMAND` is split here so no shell ever
 * parses it (no expansion, no `;`, no `|`). No dependencies: the configuration validates with it.
 */

/**
 * Splits a command line into argv like a POSIX shell would split words, without expansions:
 * whitespace separates, '…' is literal, "…" allows \" and \\, a backslash outside quotes
 * escapes the next character. `|`, `;`, `$` and the like are ordinary characters.
 * Throws `SyntaxError` on an unterminated quote.
 */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new SyntaxError(`Unterminated ${quote} quote in command line`);
  if (inWord) args.push(current);
  return args;
}

/** argv for one backup: `{file}` replaced in each argument, or the path appended. */
export function postCommandArgv(line: string, file: string): string[] {
  const argv = splitCommandLine(line);
  if (argv.length === 0) throw new SyntaxError("The command line is empty");
  const hasPlaceholder = argv.some((arg) => arg.includes("{file}"));
  const substituted = argv.map((arg) => arg.replaceAll("{file}", file));
  return hasPlaceholder ? substituted : [...substituted, file];
}
