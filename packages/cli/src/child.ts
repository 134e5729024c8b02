/**
 * Runs another program in the foreground (the app for `weaver single deploy`, a `weaver-<x>`
 * plugin): stdio inherited, SIGINT and SIGTERM passed on, its exit status returned.
 *
 * Signals: weaver stays alive until the child exits, so that the child can shut down gracefully
 * and weaver can report how it ended. Signals are always passed on; a Ctrl-C typed at a terminal
 * thus reaches a Weaver app twice within moments (from the terminal and from weaver), which run()
 * treats as one request.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** Options of runChild. */
export interface ChildOptions {
  /** The child's environment; weaver's own when not given. */
  readonly env?: NodeJS.ProcessEnv;
}

const FORWARDED = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `command` with `args` until it exits and resolves to its exit status, or 128 + the signal
 * number when a signal ended it. Rejects only when the program cannot be started at all (the
 * error's code is ENOENT, EACCES, ...).
 */
export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env: options.env ?? process.env });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    const done = (): void => {
      for (const s of FORWARDED) process.off(s, forward);
    };
    child.on("error", (e) => {
      // After a successful start, errors (a failed kill) change nothing: "exit" still follows.
      if (child.pid !== undefined) return;
      done();
      reject(e);
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
