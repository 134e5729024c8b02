// The multi-process deployer, as a user runs it: `weaver multi deploy` in the foreground, real
// replica processes, requests through the listener proxies, kill -9 under load, Ctrl-C.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import type { DeploymentStatus, Registration } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-multi-data-"));
const env = { XDG_DATA_HOME: data };
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

function config(text: string): string {
  const file = join(data, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, text);
  return file;
}

const reverserConfig = (extra = ""): string =>
  config(
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n${extra}\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
  );

function deploy(file: string): TestProcess {
  return new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
}

function registrations(): Registration[] {
  const dir = join(data, "weaver", "multi", "registry");
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Registration);
  } catch {
    return [];
  }
}

async function status(deployment: string): Promise<DeploymentStatus> {
  const r = registrations().find((x) => x.deployment === deployment);
  if (r === undefined) throw new Error(`deployment ${deployment} is not registered`);
  return (await (await fetch(`${r.status}/status`)).json()) as DeploymentStatus;
}

/** Waits until every replica of the deployment is ready (and `extra` holds). */
async function settled(deployment: string, extra: (s: DeploymentStatus) => boolean = () => true): Promise<DeploymentStatus> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await status(deployment).catch(() => undefined);
    if (s?.groups.every((g) => g.replicas.every((r) => r.state === "ready")) && extra(s)) return s;
    if (Date.now() > deadline) throw new Error(`deployment not settled: ${JSON.stringify(s?.groups)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("weaver multi deploy", () => {
  it("runs 2 replicas of each of the 3 groups as children of the deployer, behind one listener address", async () => {
    const app = deploy(reverserConfig());
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const lines = await app.waitFor(/(http listener available on 127\.0\.0\.1:(\d+)\n)[\s\S]*http listener available on 127\.0\.0\.1:\2\n/);
    const port = Number(lines[2]);
    expect(app.stdout).toMatch(/^S\d{4} \d\d:\d\d:\d\d\.\d{6} stdout {15}[0-9a-f]{8} {22}│ http listener available on 127\.0\.0\.1:\d+$/m);
    const s = await settled(deployment!);
    expect(s.groups.map((g) => [g.name, g.replicas.length])).toEqual([
      ["weaver.Main", 2],
      ["reverser.Converter", 2],
      ["reverser.Reverser", 2],
    ]);
    const pids = s.groups.flatMap((g) => g.replicas.map((r) => r.pid));
    expect(new Set(pids).size).toBe(6);
    for (const pid of pids) expect(parentOf(pid)).toBe(app.child.pid);
    expect(s.listeners).toEqual([{ name: "lis", address: `127.0.0.1:${port}` }]);
    expect(await (await fetch(`http://127.0.0.1:${port}/reverse?name=abcdefg`)).text()).toBe("after reversing, name is gfedcba\n");
    expect(await (await fetch(`http://127.0.0.1:${port}/convert?name=abcdefg`)).text()).toBe("after converting, name is ABCDEFG\n");

    const table = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "status"], { env });
    expect(table.code).toBe(0);
    for (const g of s.groups) {
      const sorted = g.replicas
        .map((r) => r.pid)
        .sort((a, b) => a - b)
        .join(", ");
      expect(table.stdout).toContain(`│ ${g.name.padEnd(18)} │ ${sorted}`);
    }

    // Ctrl-C: everything stops, nothing is left behind.
    const { code } = await app.stop("SIGINT");
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(registrations().map((r) => r.deployment)).not.toContain(deployment);
  });

  it("loses no request when a replica is killed under load, and restarts it", async () => {
    const app = deploy(reverserConfig());
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const before = await settled(deployment!);
    const port = Number(before.listeners[0]!.address.split(":")[1]);
    const victim = before.groups.find((g) => g.name === "reverser.Reverser")!.replicas[0]!;
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        try {
          const text = await (await fetch(`http://127.0.0.1:${port}/reverse?name=abc`)).text();
          if (text === "after reversing, name is cba\n") ok++;
          else failures.push(text);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(victim.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 1_500));
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    const after = await settled(deployment!, (s) => s.groups.find((g) => g.name === "reverser.Reverser")!.replicas[0]!.restarts === 1);
    const slot = after.groups.find((g) => g.name === "reverser.Reverser")!.replicas[0]!;
    expect(slot.pid).not.toBe(victim.pid);
    expect(parentOf(slot.pid)).toBe(app.child.pid);
    await app.waitFor(
      /W\d{4} [\d:.]+ deployer +[0-9a-f]{8} +│ replica [0-9a-f]{8} of reverser\.Reverser was killed by SIGKILL; restarting it in \d+ ms \(restart 1\)/,
    );
  });

  it("serves WebSocket upgrades and raw TCP connections from every replica that owns the listener", async () => {
    const file = config(
      `[serviceweaver]\nbinary = "${join(ROOT, "test/apps/netapp/dist/main.js")}"\n\n[multi]\nlisteners.web = {address = "127.0.0.1:0"}\nlisteners.tcp = {address = "127.0.0.1:0"}\n`,
    );
    const app = deploy(file);
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const s = await settled(deployment!);
    const address = (name: string): string => s.listeners.find((l) => l.name === name)!.address;
    const mains = s.groups.find((g) => g.name === "weaver.Main")!.replicas.map((r) => String(r.pid));

    // The replicas accept on one shared socket and the kernel picks which one takes each
    // connection (not in turn): open connections until every replica has answered one.
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < mains.length; i++) {
      const ws = new WebSocket(`ws://${address("web")}/echo`);
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once("open", () => ws.send(`hi ${i}`));
        ws.once("message", (d) => resolve(String(d)));
        ws.once("error", reject);
      });
      ws.close();
      const [pid, text] = reply.split(": ");
      expect(text).toBe(`hi ${i}`);
      seen.add(pid!);
    }
    expect([...seen].sort()).toEqual([...mains].sort());

    // No proxy in between: the replica sees the client's own port.
    const peer = await new Promise<[number, string]>((resolve, reject) => {
      const req = httpGet(`http://${address("web")}/peer`, { agent: false }, (res) => {
        const port = req.socket!.localPort!;
        let body = "";
        res.on("data", (d) => (body += String(d)));
        res.once("end", () => resolve([port, body]));
      });
      req.once("error", reject);
    });
    expect(peer[1]).toBe(`${peer[0]}\n`);

    const [host, port] = address("tcp").split(":");
    const socket = net.connect(Number(port), host);
    const answer = await new Promise<string>((resolve, reject) => {
      let buf = "";
      socket.on("data", (d) => {
        buf += String(d);
        if (buf.split("\n").length > 2) resolve(buf);
      });
      socket.once("error", reject);
      socket.write("one\ntwo\n");
    });
    socket.destroy();
    expect(answer).toMatch(/^(\d+): ONE\n\1: TWO\n$/);
  });

  it("stops with the last log lines when a group keeps crashing at start", async () => {
    const file = config(`[serviceweaver]\nbinary = "${join(ROOT, "test/apps/netapp/dist/main.js")}"\nenv = ["NETAPP_CRASH_AT_START=1"]\n`);
    const app = deploy(file);
    const { code } = await app.exited;
    expect(code).toBe(1);
    expect(app.stderr).toContain(
      "weaver: netapp.Upper keeps crashing at start: its process exited with status 1 3 times in a row before it was ready. Its last log lines:",
    );
    expect(app.stderr).toContain("    connecting to the database at db.invalid:5432");
    expect(app.stderr).toContain("boom: cannot reach the database");
  });

  it("stores the logs, which weaver multi logs queries and follows", async () => {
    const app = deploy(reverserConfig('env = ["WEAVER_LOG_LEVEL=debug"]'));
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const s = await settled(deployment!);
    const port = s.listeners[0]!.address.split(":")[1];
    const short = deployment!.slice(0, 8);
    const logs = await runToEnd(
      process.execPath,
      ["packages/cli/bin/weaver.js", "multi", "logs", `version == "${short}" && msg.contains("listener")`],
      { env },
    );
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split("\n")).toHaveLength(2);
    expect(logs.stdout).toMatch(/^S\d{4} .* │ http listener available on 127\.0\.0\.1:\d+$/m);

    const follow = new TestProcess(
      process.execPath,
      ["packages/cli/bin/weaver.js", "multi", "logs", "--follow", `version == "${short}" && component == "reverser.Reverser"`],
      { env },
    );
    await new Promise((r) => setTimeout(r, 500));
    await fetch(`http://127.0.0.1:${port}/reverse?name=followme`);
    await follow.waitFor(/D\d{4} [\d:.]+ reverser\.Reverser +[0-9a-f]{8} +│ reversing len="8"/);
    await follow.stop("SIGINT");

    const bad = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "logs", "level = 1"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid log query at position 7: use == to compare");
  });

  it("restarts a replica that stops answering health checks", async () => {
    const app = deploy(reverserConfig());
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const before = await settled(deployment!);
    const victim = before.groups.find((g) => g.name === "reverser.Converter")!.replicas[1]!;
    process.kill(victim.pid, "SIGSTOP"); // alive, but answers nothing
    await app.waitFor(/replica [0-9a-f]{8} of reverser\.Converter failed 3 health checks in a row; restarting it/);
    const after = await settled(deployment!, (s) => s.groups.find((g) => g.name === "reverser.Converter")!.replicas[1]!.restarts === 1);
    expect(after.groups.find((g) => g.name === "reverser.Converter")!.replicas[1]!.pid).not.toBe(victim.pid);
    expect(alive(victim.pid)).toBe(false);
  });

  it("colocates components and honours replica counts", async () => {
    const file = config(
      `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\ncolocate = [["reverser/Reverser", "reverser/Converter"]]\n\n[multi]\nreplicas = 1\ngroups."reverser.Converter".replicas = 3\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
    );
    const app = deploy(file);
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const s = await settled(deployment!);
    expect(s.groups.map((g) => [g.name, g.components, g.replicas.length])).toEqual([
      ["weaver.Main", ["weaver/Main"], 1],
      ["reverser.Converter", ["reverser/Converter", "reverser/Reverser"], 3],
    ]);
    const port = s.listeners[0]!.address.split(":")[1];
    expect(await (await fetch(`http://127.0.0.1:${port}/reverse?name=ab`)).text()).toBe("after reversing, name is ba\n");
  });

  it("leaves no replica behind when the deployer itself is killed", async () => {
    const app = deploy(reverserConfig());
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const pids = (await settled(deployment!)).groups.flatMap((g) => g.replicas.map((r) => r.pid));
    process.kill(app.child.pid!, "SIGKILL"); // the deployer only, not its process group
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
    // Its registration is garbage-collected by the next status.
    await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "status"], { env });
    expect(registrations().map((r) => r.deployment)).not.toContain(deployment);
  });
});
