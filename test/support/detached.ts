/**
 * Tests of detached multi deployments: a private data folder (so the user's real registry and
 * manager are never touched), the `weaver multi` command run against it, the registrations and
 * status of its deployments, and the manager, which is no child of the test and is stopped after
 * each test.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentStatus, Registration } from "@weaver/runtime";
import { ROOT, runToEnd, stopAll } from "./process.js";

/** Whether a process runs (a zombie does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits up to 20 s for the processes to end; resolves with those still running. */
export async function gone(pids: readonly number[]): Promise<number[]> {
  for (const deadline = Date.now() + 20_000; pids.some(alive) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

/** The pids of every replica in a status. */
export const pidsOf = (s: DeploymentStatus): number[] => s.groups.flatMap((g) => g.replicas.map((r) => r.pid));

/** A private data folder for detached deployments, and what tests do with it. */
export class DetachedHome {
  readonly data: string;
  readonly env: NodeJS.ProcessEnv;
  readonly managerDir: string;

  /** Makes the folder `.tmp-<prefix>-*` inside the checkout. */
  constructor(prefix: string) {
    this.data = mkdtempSync(join(ROOT, `.tmp-${prefix}-`));
    this.env = { XDG_DATA_HOME: this.data };
    this.managerDir = join(this.data, "weaver", "multi", "manager");
  }

  /** Runs `weaver multi <args>` to its end. */
  weaver(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", ...args], { env: this.env, timeoutMs: 60_000 });
  }

  /** The pid the manager recorded, if any. */
  managerPid(): number | undefined {
    const file = join(this.managerDir, "manager.pid");
    return existsSync(file) ? Number(readFileSync(file, "utf8")) : undefined;
  }

  /** The registrations of the multi deployments. */
  registrations(): Registration[] {
    const dir = join(this.data, "weaver", "multi", "registry");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Registration);
  }

  /** A registered deployment's status, from its status server. */
  async status(deployment: string): Promise<DeploymentStatus> {
    const r = this.registrations().find((x) => x.deployment === deployment);
    if (r === undefined) throw new Error(`deployment ${deployment} is not registered`);
    return (await (await fetch(`${r.status}/status`)).json()) as DeploymentStatus;
  }

  /** After each test: stops the test's processes, and the manager (it drains its deployments). */
  async stopAll(): Promise<void> {
    await stopAll();
    const pid = this.managerPid();
    if (pid !== undefined && alive(pid)) {
      process.kill(pid, "SIGTERM");
      if ((await gone([pid])).length > 0) process.kill(pid, "SIGKILL");
    }
  }

  /** After all tests: removes the folder. */
  remove(): void {
    rmSync(this.data, { recursive: true, force: true });
  }
}
