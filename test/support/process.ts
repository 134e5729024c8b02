/**
 * Spawned processes for tests: wait for output lines, stop, never leak. Each process starts its
 * own process group, and stop() signals the whole group, as a terminal's Ctrl-C does: wrappers
 * such as npx start the real program as a grandchild, which must stop too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A process started by a test, with its output collected. */
export class TestProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    // "close" comes after the output streams end, so stdout and stderr are complete by then.
    this.exited = new Promise((resolve) => this.child.once("close", (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.#signalGroup("SIGKILL")); // whatever the group left behind
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Waits until stdout or stderr matches `pattern`; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.stdout.match(pattern) ?? this.stderr.match(pattern);
      if (m !== null) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `process exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Sends a signal (SIGTERM by default) to the process's group and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.#signalGroup(signal);
    return this.ended(`to stop on ${signal}`, timeoutMs);
  }

  /**
   * Waits for the exit; after `timeoutMs` kills the group and fails with what the process printed,
   * so that a hang names itself instead of running into the test's timeout.
   */
  async ended(what: string, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#signalGroup("SIGKILL");
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${this.child.spawnargs.join(" ")} ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // The group is gone already.
    }
  }
}

const running = new Set<TestProcess>();

/** Kills every process a test started and left running (call from afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop("SIGKILL", 5_000)));
}

/** Runs a command to completion and returns its output and exit code. */
export async function runToEnd(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new TestProcess(command, args, options);
  const { code } = await p.ended("to end", options.timeoutMs ?? 30_000);
  return { code, stdout: p.stdout, stderr: p.stderr };
}
