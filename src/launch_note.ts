/**
 * Why this process runs its program from the sources although a bundle was wanted
 * (`cli/launch.ts` notes it; the bot logs it once it has a logger). On a pipe, the launcher
 * itself stays quiet: the bot's stderr is its log, which may be JSON lines.
 */
let unbundledReason: string | undefined;

/** Called by the launcher when it fell back to the sources. */
export function noteUnbundled(reason: string): void {
  unbundledReason = reason;
}

/** The reason noted by {@link noteUnbundled}, if any. */
export function unbundledNote(): string | undefined {
  return unbundledReason;
}
