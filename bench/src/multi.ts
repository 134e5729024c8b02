/**
 * The multi-process deployer: time from `weaver multi deploy` to the first answered request
 * through the listener proxy (target: under 2 s), against `weaver single deploy` of the same app;
 * and HTTP requests per second through the proxy (64 in flight, keep-alive) against the same app
 * in a single process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureThroughput, type Result } from "./harness.js";
import { freePort } from "./procs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEAVER = join(ROOT, "packages/cli/bin/weaver.js");

/** An app the benchmarks deploy: its binary, its listener, and a path that answers 200 once it is up. */
export interface BenchApp {
  readonly binary: string;
  readonly listener: string;
  readonly probe: string;
}

/** The reverser example (Main's HTTP listener calling Reverser). */
const REVERSER: BenchApp = { binary: join(ROOT, "examples/reverser/dist/main.js"), listener: "lis", probe: "/reverse?name=abc" };

/** A deployment started for the benchmark. */
export interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  /** Milliseconds from spawning weaver to the first answered request. */
  readonly firstRequestMs: number;
}

/**
 * Deploys `app` (by default the reverser example) with `weaver <mode> deploy` (`extra`: more lines
 * of its section); resolves once it answers.
 */
export async function start(mode: "single" | "multi", data: string, extra = "", app = REVERSER): Promise<Running> {
  const port = await freePort();
  const file = join(data, `${mode}-${port}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${app.binary}"\n\n[${mode}]\nlisteners.${app.listener} = {address = "127.0.0.1:${port}"}\n${extra}`,
  );
  const began = performance.now();
  const child = spawn(process.execPath, [WEAVER, mode, "deploy", file], {
    env: { ...process.env, XDG_DATA_HOME: data },
    stdio: "ignore",
    detached: true,
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`weaver ${mode} deploy exited with ${child.exitCode}`);
    if (await answers(port, app.probe)) return { child, port, firstRequestMs: performance.now() - began };
    if (performance.now() - began > 30_000) throw new Error(`weaver ${mode} deploy did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether a GET of `path` on 127.0.0.1:`port` answers 200 (within 2 s). */
export function answers(port: number, path = REVERSER.probe): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode === 200));
    });
    req.once("error", () => resolve(false));
    // A connection the listener accepted before the app was ready may never be answered.
    req.setTimeout(2_000, () => req.destroy());
  });
}

/** Stops a deployment started by start(). */
export async function stop(r: Running): Promise<void> {
  const exited = new Promise((resolve) => r.child.once("exit", resolve));
  try {
    process.kill(-(r.child.pid as number), "SIGTERM");
  } catch {
    return;
  }
  await exited;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs the multi deployer cases; prints progress with `progress`. */
export async function multiCases(progress: (line: string) => void): Promise<{ results: Result[]; startupMs: number }> {
  const data = mkdtempSync(join(tmpdir(), "weaver-bench-multi-"));
  const running: Running[] = [];
  try {
    const multi: number[] = [];
    const single: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [mode, times] of [
        ["multi", multi],
        ["single", single],
      ] as const) {
        const r = await start(mode, data);
        times.push(r.firstRequestMs);
        await stop(r);
      }
    }
    progress(
      `deploy to first request: multi ${multi.map((t) => t.toFixed(0)).join(", ")} ms; single ${single.map((t) => t.toFixed(0)).join(", ")} ms`,
    );
    const startup: Result = {
      name: "weaver multi deploy → first answered request (6 processes)",
      baseline: "weaver single deploy",
      ns: median(multi) * 1e6,
      baselineNs: median(single) * 1e6,
      ratio: median(multi) / median(single),
    };

    const m = await start("multi", data);
    running.push(m);
    const s = await start("single", data);
    running.push(s);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const get = (port: number) => (): Promise<void> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port, path: "/reverse?name=abcdefg", agent }, (res) => {
            res.resume();
            res.once("end", resolve);
          })
          .once("error", reject);
      });
    const throughput = await measureThroughput({
      name: "HTTP through weaver multi deploy (Main ×2 → Reverser ×2 over RPC)",
      baseline: "same app, single process",
      candidate: get(m.port),
      reference: get(s.port),
      ops: 2_000,
      rounds: 7,
    });
    agent.destroy();
    return { results: [startup, throughput], startupMs: median(multi) };
  } finally {
    await Promise.all(running.map(stop));
    rmSync(data, { recursive: true, force: true });
  }
}
