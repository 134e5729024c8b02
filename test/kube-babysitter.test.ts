// weaver kube babysitter end to end, on one machine: real babysitters as local processes, each with
// its own pod identity and ports, fed pod events by a loopback API server that speaks the real
// list/watch protocol. The test plays the kubelet: it registers each pod, marks it Ready when its
// /readyz answers 200, and deletes pods. The reverser app serves requests across processes with
// mutual TLS; a killed reverser is routed around, and a new one receives calls.
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { CertificateAuthority, colocationGroups, loadConfig, readManifest, shortName } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KubeApiServer, makePod } from "./support/kube-api-server.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const APP_DIR = join(ROOT, "examples/reverser");
const BIN = join(ROOT, "packages/kube/bin/weaver-kube.js");
const work = mkdtempSync(join(ROOT, ".tmp-kube-babysitter-"));

afterEach(() => stopAll());
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Writes a wiring for examples/reverser (as weaver kube deploy would) and a CA; returns their paths and facts. */
async function writeWiring(overrides: Record<string, unknown> = {}) {
  const configFile = join(APP_DIR, "weaver.toml");
  const config = loadConfig(configFile, { others: "any" });
  const manifest = readManifest(config.binary as string);
  const deployment = randomUUID();
  const listenerPort = await freePort();
  const groups = colocationGroups(manifest, config).map((components) => {
    const name = shortName(components[0] as string);
    return {
      name,
      label: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      components,
      listeners: components.includes(manifest.components.find((c) => (c.listeners ?? []).length > 0)?.name ?? "")
        ? { lis: listenerPort }
        : {},
    };
  });
  const wiring = {
    format: 1,
    app: manifest.app,
    deployment,
    version: deployment.slice(0, 8),
    appVersion: manifest.versionHash,
    configSha256: createHash("sha256").update(readFileSync(configFile)).digest("hex"),
    configPath: "weaver.toml",
    namespace: "default",
    groups,
    mtls: true,
    certLifetimeMs: 3_600_000,
    ...overrides,
  };
  const dir = mkdtempSync(join(work, "version-"));
  const ca = new CertificateAuthority("test kube CA");
  writeFileSync(join(dir, "ca.crt"), ca.certificate);
  writeFileSync(join(dir, "ca.key"), ca.exportPrivateKey());
  writeFileSync(join(dir, "deployment.json"), JSON.stringify(wiring));
  return { file: join(dir, "deployment.json"), caDir: dir, wiring, listenerPort };
}

type Wiring = Awaited<ReturnType<typeof writeWiring>>;

/** The name of the group whose name ends with `suffix` ("Main", "Reverser"). */
function group(w: Wiring, suffix: string): string {
  const g = w.wiring.groups.find((x) => x.name.endsWith(suffix));
  if (g === undefined) throw new Error(`no group ends with ${suffix}`);
  return g.name;
}

/** One pod: its babysitter process and ports. */
interface Pod {
  readonly name: string;
  readonly process: TestProcess;
  readonly health: number;
  readonly rpc: number;
}

/** Registers a pod (not ready) and starts its babysitter, as the kubelet would. */
async function startPod(api: KubeApiServer, w: Wiring, name: string, group: string): Promise<Pod> {
  const rpc = await freePort();
  const health = await freePort();
  const g = w.wiring.groups.find((x) => x.name === group) as { label: string };
  api.addPod(
    makePod({
      name,
      labels: { "weaver.dev/app": w.wiring.app, "weaver.dev/version": w.wiring.version, "weaver.dev/group": g.label },
      podIP: "127.0.0.1",
      ready: false,
      rpcPort: rpc,
    }),
  );
  const process = new TestProcess("node", [BIN, "babysitter"], { env: podEnv(w, api, name, group, rpc, health) });
  return { name, process, health, rpc };
}

function podEnv(w: Wiring, api: KubeApiServer, name: string, group: string, rpc: number, health: number): NodeJS.ProcessEnv {
  return {
    WEAVER_KUBE_WIRING: w.file,
    WEAVER_KUBE_GROUP: group,
    WEAVER_KUBE_CA_DIR: w.caDir,
    WEAVER_KUBE_APP_DIR: APP_DIR,
    POD_NAME: name,
    POD_NAMESPACE: "default",
    POD_IP: "127.0.0.1",
    WEAVER_KUBE_BIND_HOST: "127.0.0.1",
    WEAVER_KUBE_RPC_PORT: String(rpc),
    WEAVER_KUBE_HEALTH_PORT: String(health),
    WEAVER_KUBE_API_SERVER: api.url,
  };
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

/** Polls the pod's /readyz until 200, then marks the pod Ready (the kubelet's readiness probe). */
async function becomeReady(api: KubeApiServer, pod: Pod): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (pod.process.child.exitCode !== null) throw new Error(`${pod.name} exited:\n${pod.process.stdout}\n${pod.process.stderr}`);
    const r = await get(`http://127.0.0.1:${pod.health}/readyz`).catch(() => undefined);
    if (r?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${pod.name} never became ready (${r?.body}):\n${pod.process.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  api.updatePod(pod.name, (p) => (p.status.conditions = [{ type: "Ready", status: "True" }]));
}

/** The replica's pid, from the babysitter's "started the replica" entry. */
async function replicaPid(pod: Pod): Promise<number> {
  const m = await pod.process.waitFor(/started the replica of group [^"]* \(pid (\d+)\)/);
  return Number(m[1]);
}

/** The common name of the issuer of the certificate a replica's RPC port serves. */
function servedIssuer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const issuer = socket.getPeerCertificate().issuer?.CN;
      socket.destroy();
      resolve(String(issuer));
    });
    socket.once("error", reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends `n` requests to /reverse; returns the bodies. */
async function reverse(port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(`http://127.0.0.1:${port}/reverse?name=abc${i}`);
    out.push(`${r.status} ${r.body.trim()}`);
  }
  return out;
}

describe("weaver kube babysitter", () => {
  it("serves the reverser across pods, routes around a killed pod and to a new one", { timeout: 240_000 }, async () => {
    const api = await KubeApiServer.start();
    try {
      const w = await writeWiring();
      const main = await startPod(api, w, "reverser-main-0", group(w, "Main"));
      const revA = await startPod(api, w, "reverser-rev-a", group(w, "Reverser"));
      const revB = await startPod(api, w, "reverser-rev-b", group(w, "Reverser"));
      for (const p of [main, revA, revB]) await becomeReady(api, p);

      const expected = (n: number) =>
        Array.from({ length: n }, (_, i) => `200 after reversing, name is ${[...`abc${i}`].reverse().join("")}`);
      // The main pod's routes follow the watch: wait for the first call to go through, then all must.
      await until("a first reversal", async () => (await reverse(w.listenerPort, 1))[0] === expected(1)[0]);
      expect(await reverse(w.listenerPort, 20)).toEqual(expected(20));

      // Health and metrics.
      expect((await get(`http://127.0.0.1:${main.health}/healthz`)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${main.health}/nothing`)).status).toBe(404);
      const metrics = await get(`http://127.0.0.1:${main.health}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const count = metrics.body
        .split("\n")
        .find((l) => l.startsWith("weaver_method_count{") && l.includes('method="reverse"') && l.includes('remote="true"'));
      expect(count, metrics.body).toMatch(/weaver_replica="reverser-main-0"\} (\d+)$/);
      expect(Number(count?.split(" ").pop())).toBeGreaterThanOrEqual(21);

      // kill -9 one reverser's babysitter: its replica exits too; the kubelet marks the pod gone.
      const pidA = await replicaPid(revA);
      process.kill(revA.process.child.pid as number, "SIGKILL");
      await until("rev-a's replica to exit", () => !alive(pidA));
      api.deletePod(revA.name);
      await until("reversals through rev-b", async () => (await reverse(w.listenerPort, 1))[0] === expected(1)[0]);
      expect(await reverse(w.listenerPort, 20)).toEqual(expected(20));

      // A new pod; then rev-b goes unready and is stopped: calls go to the new one.
      const revC = await startPod(api, w, "reverser-rev-c", group(w, "Reverser"));
      await becomeReady(api, revC);
      api.updatePod(revB.name, (p) => (p.status.conditions = [{ type: "Ready", status: "False" }]));
      process.kill(revB.process.child.pid as number, "SIGTERM");
      expect((await revB.process.ended("to stop on SIGTERM", 30_000)).code).toBe(0);
      api.deletePod(revB.name);
      await until("reversals through rev-c", async () => (await reverse(w.listenerPort, 1))[0] === expected(1)[0]);
      expect(await reverse(w.listenerPort, 20)).toEqual(expected(20));

      // Replicas serve RPC with mutual TLS, with certificates of the version's CA.
      expect(await servedIssuer(revC.rpc)).toMatch(/^test kube CA/);

      // Every line a babysitter prints is a JSON log entry.
      for (const p of [main, revA, revB, revC]) {
        const lines = p.process.stdout.split("\n").filter((l) => l !== "");
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(() => JSON.parse(l), `${p.name}: ${l}`).not.toThrow();
        expect(lines.map((l) => JSON.parse(l) as { node: string }).every((e) => typeof e.node === "string")).toBe(true);
      }
    } finally {
      await api.close();
    }
  });

  it("exits 0 on SIGTERM and leaves no process behind", { timeout: 120_000 }, async () => {
    const api = await KubeApiServer.start();
    try {
      const w = await writeWiring();
      const rev = await startPod(api, w, "reverser-rev-0", group(w, "Reverser"));
      await becomeReady(api, rev);
      const pid = await replicaPid(rev);
      process.kill(rev.process.child.pid as number, "SIGTERM"); // the kubelet signals the container's first process only
      const exit = await rev.process.ended("to exit on SIGTERM", 30_000);
      expect(exit.code).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(rev.process.stdout).toMatch(/the replica stopped/);
    } finally {
      await api.close();
    }
  });

  it("is not ready until the pods are listed, and exits with the replica's status when it dies", { timeout: 120_000 }, async () => {
    const api = await KubeApiServer.start();
    try {
      const w = await writeWiring();
      api.failNext(1_000_000); // the API server is unreachable for now
      const rev = await startPod(api, w, "reverser-rev-0", group(w, "Reverser"));
      const readyz = () => get(`http://127.0.0.1:${rev.health}/readyz`).catch(() => undefined);
      await until("the replica to be up", async () => (await readyz())?.body.includes("not listed yet") === true);
      expect((await readyz())?.status).toBe(503);
      api.failNext(0);
      await becomeReady(api, rev);

      // The replica dies: the babysitter says why and exits with its status, for the kubelet to restart it.
      process.kill(await replicaPid(rev), "SIGKILL");
      const exit = await rev.process.ended("to exit after its replica", 30_000);
      expect(exit.code).toBe(137);
      const last = JSON.parse(rev.process.stdout.trim().split("\n").pop() as string) as { level: string; msg: string };
      expect(last.level).toBe("error");
      expect(last.msg).toMatch(/^the replica was killed by SIGKILL; exiting so that the kubelet restarts the container/);
    } finally {
      await api.close();
    }
  });

  it("refuses an image built from other code than the wiring's", { timeout: 60_000 }, async () => {
    const api = await KubeApiServer.start();
    try {
      const w = await writeWiring({ appVersion: "0123456789abcdef" });
      const r = await runToEnd("node", [BIN, "babysitter"], {
        env: podEnv(w, api, "reverser-main-0", group(w, "Main"), await freePort(), await freePort()),
      });
      expect(r.code).toBe(1);
      const entry = JSON.parse(r.stdout.trim().split("\n").pop() as string) as { level: string; msg: string };
      expect(entry.level).toBe("error");
      expect(entry.msg).toMatch(/the image was built from other code than weaver kube deploy read; rebuild it with docker build/);
      expect(entry.msg).toContain("0123456789abcdef");
      expect(api.lists).toBe(0); // nothing started
    } finally {
      await api.close();
    }
  });

  it("names a missing pod variable and a group the wiring does not have", { timeout: 60_000 }, async () => {
    const api = await KubeApiServer.start();
    try {
      const w = await writeWiring();
      const env = podEnv(w, api, "reverser-main-0", group(w, "Main"), await freePort(), await freePort());
      const noName = await runToEnd("node", [BIN, "babysitter"], { env: { ...env, POD_NAME: "" } });
      expect(noName.code).toBe(1);
      expect(noName.stdout).toMatch(/POD_NAME is not set: the manifests of weaver kube deploy set it/);
      const badGroup = await runToEnd("node", [BIN, "babysitter"], { env: { ...env, WEAVER_KUBE_GROUP: "nope" } });
      expect(badGroup.code).toBe(1);
      expect(badGroup.stdout).toMatch(
        /WEAVER_KUBE_GROUP=nope, but the wiring .* has no such group \(it has weaver.Main, reverser.Converter, reverser.Reverser\)/,
      );
    } finally {
      await api.close();
    }
  });
});
