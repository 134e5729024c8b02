/** Finding a multi deployment a test started, and waiting for it to be ready. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentStatus, Registration } from "@weaver/runtime";

/** Waits for a deployment's registration under the data folder `data` (written once its status server listens). */
export async function registration(data: string, deployment: string, deployer = "multi"): Promise<Registration> {
  const dir = join(data, "weaver", deployer, "registry");
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const found = (existsSync(dir) ? readdirSync(dir) : [])
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Registration)
      .find((r) => r.deployment === deployment);
    if (found !== undefined) return found;
  }
  throw new Error(`deployment ${deployment} was never registered`);
}

/** Waits until every replica of the deployment whose status server is at `status` is ready. */
export async function settled(status: string): Promise<DeploymentStatus> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = (await (await fetch(`${status}/status`)).json().catch(() => undefined)) as DeploymentStatus | undefined;
    if (s?.groups.every((g) => g.replicas.every((r) => r.state === "ready"))) return s;
    if (Date.now() > deadline) throw new Error(`deployment not settled: ${JSON.stringify(s?.groups)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
