/**
 * The four set-ups of the Online Boutique benchmark, started as real processes: the app under
 * `weaver single deploy`, under `weaver multi deploy` split (one process per component) and
 * co-located (examples/boutique/colocated.toml's two groups), one replica per group, and the
 * baseline (ten HTTP/JSON services, examples/boutique/dist/baseline/launch.js). Each runs in a
 * process group of its own; its CPU time is read from /proc for its root and every descendant.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { answers } from "./multi.js";
import { freePort } from "./procs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEAVER = join(ROOT, "packages/cli/bin/weaver.js");
const APP = join(ROOT, "examples/boutique");

/** The set-ups, in the order of the table. */
export const SETUPS = ["single", "multi split", "multi co-located", "baseline"] as const;
/** One set-up's name. */
export type Setup = (typeof SETUPS)[number];

/** A running set-up. */
export interface Deployment {
  readonly setup: Setup;
  readonly port: number;
  readonly child: ChildProcess;
  /** CPU seconds (user + system) used so far by the root process and all its descendants. */
  cpuSeconds(): number;
  /** How many processes the set-up has (root and descendants). */
  processes(): number;
  stop(): Promise<void>;
}

const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Every process's parent and CPU ticks, from /proc/<pid>/stat. */
function processTable(): Map<number, { ppid: number; ticks: number }> {
  const out = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the fields start after the last ")".
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The process ended while we read.
    }
  }
  return out;
}

/** The pids of `root` and its descendants. */
function tree(root: number, table: Map<number, { ppid: number }>): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, p] of table) if (p.ppid === pids[i]) pids.push(pid);
  return pids.filter((p) => table.has(p));
}

/** Starts a set-up; `data` is a scratch folder (configs, XDG_DATA_HOME). Resolves once the shop answers. */
export async function deploy(setup: Setup, data: string): Promise<Deployment> {
  const port = await freePort();
  let args: string[];
  if (setup === "baseline") {
    args = [join(APP, "dist/baseline/launch.js"), String(port)];
  } else {
    const mode = setup === "single" ? "single" : "multi";
    const colocate =
      setup === "multi co-located" ? (/^colocate = \[[\s\S]*?^\]/m.exec(readFileSync(join(APP, "colocated.toml"), "utf8"))?.[0] ?? "") : "";
    const file = join(data, `${setup.replace(/ /g, "-")}.toml`);
    const section =
      mode === "multi"
        ? `[multi]\nlisteners.boutique = {address = "127.0.0.1:${port}"}\nreplicas = 1\n`
        : `[single]\nlisteners.boutique = {address = "127.0.0.1:${port}"}\n`;
    writeFileSync(file, `[serviceweaver]\nbinary = "${join(APP, "dist/main.js")}"\n${colocate}\n\n${section}`);
    args = [WEAVER, mode, "deploy", file];
  }
  const child = spawn(process.execPath, args, { env: { ...process.env, XDG_DATA_HOME: data }, stdio: "ignore", detached: true });
  const began = Date.now();
  while (!(await answers(port, "/api/products"))) {
    if (child.exitCode !== null) throw new Error(`${setup}: ${args.join(" ")} exited with ${child.exitCode}`);
    if (Date.now() - began > 60_000) throw new Error(`${setup} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid as number;
  return {
    setup,
    port,
    child,
    cpuSeconds() {
      const table = processTable();
      return tree(pid, table).reduce((s, p) => s + (table.get(p)?.ticks ?? 0), 0) / TICKS;
    },
    processes: () => tree(pid, processTable()).length,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
