/**
 * How the CLI ends a command: a failure prints one `weaver: ...` line and exits 1, a usage
 * mistake exits 2, and a command that has already printed its own output ends with ExitStatus.
 */
import { CommanderError } from "commander";
import { WeaverError } from "../errors.js";
import { colorEnabled, sgr } from "../output/terminal.js";

/** Exit status of a command that failed (bad config, missing binary, codegen problems). */
export const EXIT_FAILURE = 1;
/** Exit status of a usage mistake: unknown command or flag, missing or extra argument. */
export const EXIT_USAGE = 2;

/**
 * A mistake in how the command was invoked; printed as `weaver: <message>`, or as the message
 * alone when it already names weaver, with exit status 2.
 */
export class UsageError extends Error {
  /** Whether the message is printed after a `weaver:` prefix. */
  readonly prefixed: boolean;

  constructor(message: string, options: { prefixed?: boolean } = {}) {
    super(message);
    this.prefixed = options.prefixed ?? true;
  }

  override get name(): string {
    return "UsageError";
  }
}

/**
 * Thrown by a command that has printed everything it has to say and only needs to end with
 * `code` (generate's diagnostics, a child's exit status); nothing more is printed.
 */
export class ExitStatus extends Error {
  /** The status weaver exits with. */
  readonly code: number;

  constructor(code: number) {
    super(`exit status ${code}`);
    this.code = code;
  }
}

/** Writes `weaver: <message>` to stderr, with a red prefix on a colour terminal. */
export function printError(message: string): void {
  const prefix = colorEnabled(process.stderr) ? sgr("1;31", "weaver:") : "weaver:";
  process.stderr.write(`${prefix} ${message}\n`);
}

/**
 * Turns whatever a command threw into an exit status, printing what the user needs to see.
 * Commander has already printed its own usage errors and help, so those only map to a status.
 */
export function exitStatusOf(e: unknown): number {
  if (e instanceof ExitStatus) return e.code;
  if (e instanceof CommanderError) {
    // Help that was asked for ends with 0; help shown because a sub-command is missing is a usage error.
    return e.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (e instanceof UsageError) {
    if (e.prefixed) printError(e.message);
    else process.stderr.write(`${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof WeaverError) {
    printError(e.message);
    return EXIT_FAILURE;
  }
  // Anything else is a bug in weaver itself: keep the stack so it can be reported.
  printError(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT_FAILURE;
}
