// Detached multi deployments, as a user runs them: `weaver multi deploy --detach` returns and the
// app keeps answering, run by a manager process; stop, scale under load, kill, and a manager
// killed with SIGKILL that the next `weaver multi status` cleans up after.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { DeploymentStatus } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";
import { DetachedHome, gone, pidsOf } from "./support/detached.js";

const home = new DetachedHome("detach");
const { data, managerDir } = home;
const weaver = home.weaver.bind(home);
const registrations = home.registrations.bind(home);
const status = home.status.bind(home);
const managerPid = home.managerPid.bind(home);
// The manager is not a child of any test process: stop it (it drains its deployments) after each test.
afterEach(() => home.stopAll());
afterAll(() => home.remove());

function reverserConfig(): string {
  const file = join(data, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
  );
  return file;
}

/** Deploys detached; returns the deployment id, the listener's port and the status once ready. */
async function deployDetached(): Promise<{ deployment: string; port: number; status: DeploymentStatus }> {
  const r = await weaver("deploy", "--detach", reverserConfig());
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const deployment = /│ deployment : ([0-9a-f-]{36}) │/.exec(r.stdout)![1]!;
  const port = Number(/lis listener available on 127\.0\.0\.1:(\d+)/.exec(r.stdout)![1]);
  const s = await status(deployment);
  expect(s.groups.every((g) => g.replicas.every((x) => x.state === "ready"))).toBe(true);
  return { deployment, port, status: s };
}

/** One GET on a fresh connection; resolves with the body, rejects on any failure. */
function get(port: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: `/reverse?name=${name}`, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}: ${body}`))));
      res.on("error", reject);
    });
    req.on("error", reject).end();
  });
}

describe("weaver multi deploy --detach", () => {
  it("returns once ready; the app answers, status shows it, and stop ends it with its manager", async () => {
    const { deployment, port, status: s } = await deployDetached();
    expect(await get(port, "abc")).toBe("after reversing, name is cba\n");
    const shown = await weaver("status");
    expect(shown.stdout).toContain(deployment);
    expect(shown.stdout).toContain(`127.0.0.1:${port}`);

    const stopped = await weaver("stop", deployment.slice(0, 8));
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toBe(`stopped ${deployment}\n`);
    expect(await gone(pidsOf(s))).toEqual([]);
    expect(registrations()).toEqual([]);
    await expect(get(port, "abc")).rejects.toThrow();
    expect(existsSync(join(managerDir, "manager.sock"))).toBe(false);
  });

  it("prints the foreground's one-line error when the app keeps crashing at start, and leaves no manager", async () => {
    const file = join(data, "crash.toml");
    writeFileSync(file, `[serviceweaver]\nbinary = "${join(ROOT, "test/apps/netapp/dist/main.js")}"\nenv = ["NETAPP_CRASH_AT_START=1"]\n`);
    const r = await weaver("deploy", "--detach", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "weaver: netapp.Upper keeps crashing at start: its process exited with status 1 3 times in a row before it was ready. Its last log lines:",
    );
    expect(registrations()).toEqual([]);
    const pid = managerPid();
    expect(pid === undefined ? [] : await gone([pid])).toEqual([]);
  });

  it("scales a group from 2 to 4 and back under load, losing no request", async () => {
    const { deployment, port } = await deployDetached();
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        await get(port, `w${w}x${i}`).then(
          (body) => (body === `after reversing, name is ${`w${w}x${i}`.split("").reverse().join("")}\n` ? ok++ : failures.push(body)),
          (e: Error) => failures.push(e.message),
        );
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    const replicas = async (group: string): Promise<number> =>
      (await status(deployment)).groups.find((g) => g.name === group)!.replicas.length;
    try {
      for (const [group, n] of [
        ["main", 4],
        ["reverser.Reverser", 4],
        ["main", 2],
        ["reverser.Reverser", 2],
      ] as const) {
        const r = await weaver("scale", deployment.slice(0, 8), `${group}=${n}`);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(await replicas(group === "main" ? "weaver.Main" : group)).toBe(n);
      }
      const restarted = await weaver("restart", "reverser");
      expect(restarted.code).toBe(0);
    } finally {
      running = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    const s = await status(deployment);
    expect(s.groups.map((g) => [g.name, g.replicas.length, g.replicas.every((r) => r.state === "ready")])).toEqual([
      ["weaver.Main", 2, true],
      ["reverser.Converter", 2, true],
      ["reverser.Reverser", 2, true],
    ]);
    const bad = await weaver("scale", deployment.slice(0, 8), "nosuch=3");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("has no group nosuch; its groups are weaver.Main, reverser.Converter, reverser.Reverser");
  }, 120_000);

  it("kill stops every version of an app and leaves no process, socket or registration", async () => {
    const first = await deployDetached();
    const second = await deployDetached();
    const manager = managerPid()!;
    const sockets = readdirSync(join(managerDir, "deployments")).map(
      (f) => (JSON.parse(readFileSync(join(managerDir, "deployments", f), "utf8")) as { socketDir: string }).socketDir,
    );
    expect(sockets).toHaveLength(2);
    const killed = await weaver("kill", "reverser");
    expect(killed.code).toBe(0);
    expect(killed.stdout.split("\n").sort()).toEqual(["", `stopped ${first.deployment}`, `stopped ${second.deployment}`].sort());
    expect(await gone([...pidsOf(first.status), ...pidsOf(second.status), manager])).toEqual([]);
    expect(registrations()).toEqual([]);
    expect(sockets.filter(existsSync)).toEqual([]);
    expect(readdirSync(managerDir).filter((f) => f !== "manager.log" && f !== "deployments")).toEqual([]);
    expect(readdirSync(join(managerDir, "deployments"))).toEqual([]);
  });

  it("after the manager is killed with SIGKILL, status reports the deployment lost and nothing is left", async () => {
    const { deployment, status: s } = await deployDetached();
    const manager = managerPid()!;
    const socketDir = (JSON.parse(readFileSync(join(managerDir, "deployments", `${deployment}.json`), "utf8")) as { socketDir: string })
      .socketDir;
    process.kill(manager, "SIGKILL");
    expect(await gone([manager])).toEqual([]);

    const shown = await weaver("status");
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain(deployment);
    expect(shown.stderr).toContain(`weaver: deployment ${deployment} of reverser was lost: its manager (pid ${manager}) died`);
    expect(await gone(pidsOf(s))).toEqual([]);
    expect(registrations()).toEqual([]);
    expect(existsSync(socketDir)).toBe(false);
    expect(existsSync(join(managerDir, "manager.sock"))).toBe(false);
    // Reported once: the next command has nothing left to clean.
    expect((await weaver("status")).stderr).not.toContain("was lost");
    // And the next deploy starts a new manager.
    const again = await deployDetached();
    expect(managerPid()).not.toBe(manager);
    expect(await get(again.port, "xy")).toBe("after reversing, name is yx\n");
  }, 90_000);
});
