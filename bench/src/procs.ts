/**
 * The server processes of the RPC benchmarks. Each runs with a guard preloaded (orphan-guard.ts)
 * so it stops when this process goes away; this process also kills them by pid when it exits, is
 * interrupted, or a benchmark fails. With BENCH_CPU_PROF=<dir>, each writes a CPU profile there.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const GUARD = new URL("./orphan-guard.js", import.meta.url).href;

/** A server process started by startServer. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

const running = new Map<number, ChildProcess>();

function killAll(): void {
  for (const [pid] of running) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Options of startServer. */
export interface StartOptions {
  readonly name: string;
  /** The script to run: a path, or a URL relative to this module (e.g. new URL("./x.js", import.meta.url)). */
  readonly script: string | URL;
  readonly env?: Record<string, string>;
  /** Text the process prints (stdout or stderr) once it serves. */
  readonly ready: string;
  readonly timeoutMs?: number;
}

/** Starts a server process and resolves once it prints its ready text. */
export function startServer(o: StartOptions): Promise<ServerProcess> {
  const script = o.script instanceof URL ? fileURLToPath(o.script) : o.script;
  const profileDir = process.env["BENCH_CPU_PROF"];
  const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${o.name}.cpuprofile`] : [];
  const child = spawn(process.execPath, ["--import", GUARD, ...profile, script], {
    env: { ...process.env, ...o.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error(`cannot start ${o.name}`));
  running.set(pid, child);
  // "close": the process has exited and its pipes are drained.
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  void exited.then(() => running.delete(pid));
  let output = "";
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print "${o.ready}" within ${o.timeoutMs ?? 15_000} ms`), o.timeoutMs ?? 15_000);
    let done = false;
    const fail = (why: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`server ${o.name} ${why}; its output:\n${output}`)));
    };
    const onData = (chunk: Buffer): void => {
      if (done) {
        // Keep draining the pipes, without holding on to the text; pass on CPU reports.
        if (o.env?.["BENCH_CPU_CALLS"] && chunk.includes("server cpu ")) process.stderr.write(chunk);
        return;
      }
      output += chunk.toString();
      if (output.includes(o.ready)) {
        done = true;
        clearTimeout(timer);
        output = "";
        resolve({ name: o.name, pid, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    child.once("error", (e) => fail(`failed: ${e.message}`));
  });
}

/** Stops every given server, in parallel. */
export async function stopAll(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.stop()));
}

/** A TCP port on 127.0.0.1 that is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `fn` with the given processes (every thread of each) pinned to one CPU, and restores their
 * CPU sets afterwards. Sequential calls between two processes on this 2-vCPU machine are bimodal
 * when they may run on different CPUs (~15 µs when the peer's vCPU is awake, ~90 µs when it has
 * to be woken), so percentiles would measure the hypervisor more than the code; on one CPU, a
 * call's time is the work of both ends plus two context switches. Without `taskset` (or with
 * BENCH_PIN=0) nothing is pinned; the result says which.
 */
export async function onOneCpu<T>(pids: readonly number[], fn: () => Promise<T>): Promise<{ value: T; pinned: boolean }> {
  if (process.env["BENCH_PIN"] === "0") return { value: await fn(), pinned: false };
  const cpu = String(availableParallelism() - 1);
  const saved: [number, string][] = [];
  try {
    for (const pid of pids) {
      const mask = /([0-9a-f]+)\s*$/i.exec(execFileSync("taskset", ["-p", String(pid)], { encoding: "utf8" }))?.[1];
      if (mask === undefined) throw new Error(`cannot read the CPU set of ${pid}`);
      execFileSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { stdio: "ignore" });
      saved.push([pid, mask]);
    }
  } catch {
    restore(saved);
    return { value: await fn(), pinned: false };
  }
  try {
    return { value: await fn(), pinned: true };
  } finally {
    restore(saved);
  }
}

function restore(saved: readonly [number, string][]): void {
  for (const [pid, mask] of saved) {
    try {
      execFileSync("taskset", ["-a", "-p", mask, String(pid)], { stdio: "ignore" });
    } catch {
      // the process is gone
    }
  }
}
