// `weaver multi profile`, run for real against a multi deployment of the reverser example: a CPU
// profile under load, a heap profile, a replica killed during a profile, and prefixes that name
// no deployment or several. XDG_DATA_HOME and TMPDIR point at temp folders, never the user's.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentStatus, Registration } from "@weaver/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registration, settled as settledAt } from "./support/deployments.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-profile-data-"));
const temp = mkdtempSync(join(tmpdir(), "weaver-profile-tmp-"));
const env = { XDG_DATA_HOME: data, TMPDIR: temp };
const LABEL = /^(weaver\.Main|reverser\.Converter|reverser\.Reverser) ([0-9a-f]{8}) pid (\d+)$/;

let app: TestProcess;
let deployment: string;
let status: DeploymentStatus;
let port: number;
let fake: Server | undefined;

/** Waits until every replica of the deployment is ready and returns its status. */
async function settled(): Promise<DeploymentStatus> {
  // The registration is written after the banner is printed: wait for it, not just read it.
  return settledAt((await registration(data, deployment)).status);
}

const weaver = (...args: string[]) => runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", ...args], { env });

/** The labels of the root's children, which must name one replica each. */
function replicaLabels(labels: string[]): { group: string; id: string; pid: number }[] {
  return labels.map((l) => {
    const m = LABEL.exec(l);
    expect(m, l).not.toBeNull();
    return { group: m![1]!, id: m![2]!, pid: Number(m![3]) };
  });
}

const replicasOf = (s: DeploymentStatus) =>
  s.groups.flatMap((g) => g.replicas.map((r) => ({ group: g.name, id: r.id.slice(0, 8), pid: r.pid })));
const byPid = <T extends { pid: number }>(list: T[]): T[] => [...list].sort((a, b) => a.pid - b.pid);

/** Sends requests through the listener until `until` settles; returns how many succeeded. */
async function load<T>(until: Promise<T>): Promise<[T, number]> {
  let running = true;
  let ok = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const text = await (await fetch(`http://127.0.0.1:${port}/reverse?name=profile${ok}`)).text();
      if (text.startsWith("after reversing")) ok++;
    }
  };
  const workers = Promise.all([worker(), worker(), worker(), worker()]);
  const result = await until;
  running = false;
  await workers;
  return [result, ok];
}

beforeAll(async () => {
  const config = join(data, "weaver.toml");
  writeFileSync(
    config,
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
  );
  app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", config], { env });
  deployment = (await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/))[1]!;
  status = await settled();
  port = Number(status.listeners[0]!.address.split(":")[1]);
});

afterAll(async () => {
  await new Promise((resolve) => (fake === undefined ? resolve(undefined) : fake.close(resolve)));
  await stopAll();
  rmSync(data, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
});

describe("weaver multi profile", () => {
  it("writes a CPU profile of every replica under load, loadable as a .cpuprofile, and prints its path", async () => {
    const [run, ok] = await load(weaver("profile", "--duration", "2s", deployment.slice(0, 8)));
    expect(ok).toBeGreaterThan(50);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const path = run.stdout.trim();
    expect(run.stdout).toBe(`${path}\n`);
    expect(path).toMatch(new RegExp(`^${temp}/weaver_reverser_cpu_profile_${deployment.slice(0, 8)}_\\d{8}T\\d{6}Z\\.cpuprofile$`));

    type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
    const p = JSON.parse(readFileSync(path, "utf8")) as {
      nodes: Node[];
      samples: number[];
      timeDeltas: number[];
      startTime: number;
      endTime: number;
    };
    const ids = new Set(p.nodes.map((n) => n.id));
    expect(ids.size).toBe(p.nodes.length);
    for (const n of p.nodes) for (const c of n.children ?? []) expect(ids.has(c)).toBe(true);
    expect(p.samples.length).toBeGreaterThan(1_000);
    expect(p.timeDeltas).toHaveLength(p.samples.length);
    for (const s of p.samples) expect(ids.has(s)).toBe(true);
    const elapsed = p.timeDeltas.reduce((a, b) => a + b, 0);
    expect(p.timeDeltas.every((d) => d >= 0)).toBe(true);
    expect(p.startTime + elapsed).toBeLessThanOrEqual(p.endTime);
    expect(p.endTime - p.startTime).toBeGreaterThanOrEqual(1_900_000);

    const root = p.nodes[0]!;
    expect(root.callFrame.functionName).toBe("(root)");
    const labels = root.children!.map((id) => p.nodes.find((n) => n.id === id)!.callFrame.functionName);
    expect(byPid(replicaLabels(labels))).toEqual(byPid(replicasOf(status)));
    // The app's code and Node's own show up, with their names.
    expect(p.nodes.some((n) => n.callFrame.url.includes("examples/reverser/dist/") && n.callFrame.functionName === "serve")).toBe(true);
    expect(p.nodes.some((n) => n.callFrame.url.startsWith("node:"))).toBe(true);
  });

  it("writes a heap profile of every replica as a .heapprofile", async () => {
    const run = await weaver("profile", "--type", "heap", deployment);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const path = run.stdout.trim();
    expect(path).toMatch(new RegExp(`^${temp}/weaver_reverser_heap_profile_${deployment.slice(0, 8)}_\\d{8}T\\d{6}Z\\.heapprofile$`));
    type Node = { id: number; selfSize: number; callFrame: { functionName: string }; children: Node[] };
    const p = JSON.parse(readFileSync(path, "utf8")) as { head: Node; samples: { nodeId: number; size: number }[] };
    const flatten = (n: Node): Node[] => [n, ...n.children.flatMap(flatten)];
    const nodes = flatten(p.head);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    expect(byPid(replicaLabels(p.head.children.map((c) => c.callFrame.functionName)))).toEqual(byPid(replicasOf(status)));
    expect(p.samples.length).toBeGreaterThan(0);
    const ids = new Set(nodes.map((n) => n.id));
    for (const s of p.samples) expect(ids.has(s.nodeId)).toBe(true);
    expect(nodes.reduce((sum, n) => sum + n.selfSize, 0)).toBeGreaterThan(0);
  });

  it("writes what it received and names the replica that died during the profile", async () => {
    const victim = status.groups.find((g) => g.name === "reverser.Reverser")!.replicas[0]!;
    const profiling = weaver("profile", "--duration", "2s", deployment.slice(0, 6));
    await new Promise((resolve) => setTimeout(resolve, 700));
    process.kill(victim.pid, "SIGKILL");
    const run = await profiling;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Partial profile data received: 1 of 6 replicas gave no profile:\n");
    expect(run.stderr).toContain(`  reverser.Reverser ${victim.id.slice(0, 8)} pid ${victim.pid}: its process ended during the profile`);
    const p = JSON.parse(readFileSync(run.stdout.trim(), "utf8")) as { nodes: { id: number; callFrame: { functionName: string } }[] };
    const labels = p.nodes.filter((n) => LABEL.test(n.callFrame.functionName)).map((n) => n.callFrame.functionName);
    expect(labels).toHaveLength(5);
    expect(labels.join("\n")).not.toContain(String(victim.pid));
    status = await settled();
  });

  it("refuses a prefix of no running deployment's id, or of several, listing the candidates", async () => {
    const none = await weaver("profile", "--duration", "1s", "ffffffffff");
    expect(none).toMatchObject({ code: 1, stdout: "" });
    expect(none.stderr).toBe(
      `weaver: no running deployment's id starts with "ffffffffff"; the running deployments are:\n  ${deployment}  reverser  (started ${none.stderr.match(/started (\S+) ago/)![1]} ago)\n`,
    );

    // A second deployment whose id starts like the real one: a status server in this process.
    const digit = deployment[9] === "0" ? "1" : "0";
    const twin = `${deployment.slice(0, 9)}${digit.repeat(4)}-4000-8000-000000000000`;
    const started = Date.now();
    fake = createServer((_, res) => {
      const s: DeploymentStatus = {
        app: "twin",
        deployment: twin,
        started,
        pid: process.pid,
        configFile: "weaver.toml",
        config: {},
        groups: [],
        components: [],
        listeners: [],
      };
      res.setHeader("content-type", "application/json").end(JSON.stringify(s));
    });
    await new Promise<void>((resolve) => fake!.listen(0, "127.0.0.1", resolve));
    const twinRegistration: Registration = {
      deployer: "multi",
      deployment: twin,
      app: "twin",
      status: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
      pid: process.pid,
      started,
    };
    writeFileSync(join(data, "weaver", "multi", "registry", `${twin}.json`), JSON.stringify(twinRegistration));

    const many = await weaver("profile", "--duration", "1s", deployment.slice(0, 4));
    expect(many).toMatchObject({ code: 1, stdout: "" });
    expect(many.stderr).toMatch(
      new RegExp(`^weaver: "${deployment.slice(0, 4)}" is the start of 2 running deployments' ids; give more of the id:\n`),
    );
    expect(many.stderr).toContain(`\n  ${deployment}  reverser  (started `);
    expect(many.stderr).toContain(`\n  ${twin}  twin  (started `);
    // More of the id picks the real one.
    const one = await weaver("profile", "--type", "heap", deployment.slice(0, 10));
    expect(one.code).toBe(0);
    expect(existsSync(one.stdout.trim())).toBe(true);
  });

  it("refuses a bad --duration or --type as a usage mistake", async () => {
    const duration = await weaver("profile", "--duration", "5x", deployment);
    expect(duration).toMatchObject({ code: 2, stdout: "" });
    expect(duration.stderr).toContain(`weaver: --duration "5x" is not a duration; write it like 30s, 500ms, 1m or 1m30s.`);
    const type = await weaver("profile", "--type", "wall", deployment);
    expect(type).toMatchObject({ code: 2, stdout: "" });
    expect(type.stderr).toContain("Allowed choices are cpu, heap.");
  });
});
