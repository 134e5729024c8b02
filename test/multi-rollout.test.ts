// Rollouts between versions of a detached app, as a user runs them: version 1 serves under steady
// load (clients on a new connection per request and keep-alive clients), version 2 is deployed
// with `rollout = "20s"` and --detach, the traffic moves to it in steps, and version 1 stops; a
// version 2 that crash-loops is rolled back with no failed request, and status says why.
// The app is test/apps/netapp, whose answers name the process: each maps to exactly one version.
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import type { RolloutStatus } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT } from "./support/process.js";
import { DetachedHome, alive, gone, pidsOf } from "./support/detached.js";

const home = new DetachedHome("rollout");
const { data } = home;
const weaver = home.weaver.bind(home);
const registrations = home.registrations.bind(home);
const status = home.status.bind(home);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The manager is not a child of any test process: stop it (it drains its deployments) after each test.
afterEach(() => home.stopAll());
afterAll(() => home.remove());

/** A netapp config; `extra` goes into [serviceweaver]. */
function netappConfig(extra = ""): string {
  const file = join(data, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(ROOT, "test/apps/netapp/dist/main.js")}"\n${extra}\n` +
      `[multi]\nlisteners.web = {address = "127.0.0.1:0"}\nlisteners.tcp = {address = "127.0.0.1:0"}\n`,
  );
  return file;
}

async function deploy(file: string): Promise<{ deployment: string; port: number; stdout: string }> {
  const r = await weaver("deploy", "--detach", file);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const deployment = /│ deployment : ([0-9a-f-]{36}) │/.exec(r.stdout)![1]!;
  const port = Number(/web listener available on 127\.0\.0\.1:(\d+)/.exec(r.stdout)![1]);
  return { deployment, port, stdout: r.stdout };
}

/** One GET; resolves with the pid that answered, rejects on any failure. */
function get(port: number, agent: Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/x", agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => {
        const m = /^hello from (\d+) \(\/x\)\n$/.exec(body);
        if (res.statusCode === 200 && m !== null) resolve(Number(m[1]));
        else reject(new Error(`status ${res.statusCode}: ${body}`));
      });
      res.on("error", reject);
    });
    req.on("error", reject).end();
  });
}

/** One line on a new connection to the tcp listener (Main calls Upper); resolves with Main's pid. */
function line(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = "";
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(`${text}\n`));
    socket.setEncoding("utf8").on("data", (d: string) => {
      got += d;
      const m = /^(\d+): (.*)\n$/.exec(got);
      if (m === null) return;
      socket.end();
      if (m[2] === text.toUpperCase()) resolve(Number(m[1]));
      else reject(new Error(`tcp answer ${got}`));
    });
    socket.on("error", reject).on("close", () => reject(new Error(`tcp connection closed after ${JSON.stringify(got)}`)));
  });
}

/** The samples of the refused-handshake counter in a deployment's Prometheus text. */
async function refusedHandshakes(deployment: string): Promise<number[]> {
  const r = registrations().find((x) => x.deployment === deployment);
  const text = await (await fetch(`${r!.status}/metrics`)).text();
  return [...text.matchAll(/^weaver_rpc_refused_handshakes_count(?:\{[^}]*\})? (\S+)$/gm)].map((m) => Number(m[1]));
}

/**
 * Steady load on the web listener: 2 clients on a new connection per request, 2 on one keep-alive
 * connection each; and with `tcp`, a fifth on a new tcp connection per line.
 */
function load(port: number, tcp?: number) {
  const answers: { at: number; pid: number; client: number }[] = [];
  const failures: string[] = [];
  let running = true;
  const agents = [false, false, new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })] as const;
  const done = Promise.all(
    [...agents, ...(tcp === undefined ? [] : ["tcp" as const])].map(async (agent, client) => {
      for (let i = 0; running; i++) {
        await (agent === "tcp" ? line(tcp as number, `line ${i}`) : get(port, agent)).then(
          (pid) => answers.push({ at: Date.now(), pid, client }),
          (e: Error) => failures.push(e.message),
        );
      }
    }),
  );
  return {
    answers,
    failures,
    stop: async () => {
      running = false;
      await done;
      for (const a of agents) if (a !== false) a.destroy();
    },
  };
}

describe("rollouts of detached deployments", () => {
  it("moves the traffic to version 2 in steps, per request, losing none, then stops version 1", async () => {
    const v1 = await deploy(netappConfig());
    const v1Pids = new Set(pidsOf(await status(v1.deployment)));
    const tcpPort = Number(/tcp listener available on 127\.0\.0\.1:(\d+)/.exec(v1.stdout)![1]);
    const traffic = load(v1.port, tcpPort);
    try {
      while (traffic.answers.length < 50) await sleep(50);
      const v2 = await deploy(netappConfig(`rollout = "20s"`));
      expect(v2.port).toBe(v1.port);
      expect(v2.stdout).toContain(`Rolling out from ${v1.deployment.slice(0, 8)}`);
      const v2Pids = new Set(pidsOf(await status(v2.deployment)));
      // Each step as the status showed it first: when and at what share of version 2.
      const seen: { at: number; fraction: number }[] = [];
      let shown = "";
      const refused: number[] = [];
      let rollout: RolloutStatus | undefined;
      for (;;) {
        rollout = (await status(v2.deployment)).rollout;
        const current = rollout?.steps.filter((s) => !s.planned).at(-1);
        if (current !== undefined && seen.at(-1)?.fraction !== current.fraction) seen.push({ at: Date.now(), fraction: current.fraction });
        if (current?.fraction === 0.5 && shown === "") {
          shown = (await weaver("status")).stdout;
          // Both versions call across processes (tcp: Main calls Upper); no call reached the other version.
          refused.push(...(await refusedHandshakes(v1.deployment)), ...(await refusedHandshakes(v2.deployment)));
        }
        if (rollout?.state !== "rolling") break;
        await sleep(100);
      }
      expect(rollout?.state).toBe("done");
      expect(seen.map((s) => s.fraction)).toEqual([0.1, 0.25, 0.5, 0.75, 1]);
      expect(await gone([...v1Pids])).toEqual([]);
      expect(registrations().map((r) => r.deployment)).toEqual([v2.deployment]);
      await sleep(500);
      await traffic.stop();

      expect(traffic.failures).toEqual([]);
      for (const a of traffic.answers) expect(v1Pids.has(a.pid) !== v2Pids.has(a.pid)).toBe(true);
      // The share of version 2 in each step, leaving out the answers near its ends (the status is polled).
      const shares = seen.map((step, i) => {
        const end = (seen[i + 1]?.at ?? Number.POSITIVE_INFINITY) - 500;
        const inStep = traffic.answers.filter((a) => a.client < 4 && a.at >= step.at && a.at < end);
        return { target: step.fraction, n: inStep.length, share: inStep.filter((a) => v2Pids.has(a.pid)).length / inStep.length };
      });
      console.log(`shares of version 2 by step: ${JSON.stringify(shares)}`);
      for (const s of shares) {
        expect(s.n).toBeGreaterThan(20);
        expect(Math.abs(s.share - s.target)).toBeLessThanOrEqual(0.05);
      }
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(refused.every((n) => n === 0)).toBe(true);
      const tcpAnswers = traffic.answers.filter((a) => a.client === 4);
      expect(tcpAnswers.some((a) => v1Pids.has(a.pid)) && tcpAnswers.some((a) => v2Pids.has(a.pid))).toBe(true);
      // Keep-alive clients were not pinned: each got answers from both versions.
      for (const client of [2, 3]) {
        const pids = traffic.answers.filter((a) => a.client === client).map((a) => a.pid);
        expect(pids.some((p) => v1Pids.has(p)) && pids.some((p) => v2Pids.has(p))).toBe(true);
      }
      console.log(`weaver multi status at 50%:\n${shown}`);
      expect(shown).toContain("TRAFFIC FRACTION");
      expect(shown).toMatch(new RegExp(`127\\.0\\.0\\.1:${v1.port} +│ web +│ netapp +│ ${v2.deployment.slice(0, 8)} +│ 0\\.50`));
      expect(shown).toContain(`ROLLOUT OF netapp (rolling)`);
    } finally {
      await traffic.stop();
    }
  }, 120_000);

  it("rolls a crash-looping version 2 back with no failed request, and status says why", async () => {
    const v1 = await deploy(netappConfig());
    const v1Pids = pidsOf(await status(v1.deployment));
    const traffic = load(v1.port);
    try {
      while (traffic.answers.length < 50) await sleep(50);
      const v2 = await deploy(netappConfig(`rollout = "20s"\nenv = ["NETAPP_EXIT_AFTER_MS=2000"]`));
      const v2Pids = pidsOf(await status(v2.deployment));
      let rollout: RolloutStatus | undefined;
      while ((rollout = (await status(v1.deployment)).rollout)?.state === "rolling") await sleep(100);
      expect(rollout?.state).toBe("rolled back");
      expect(rollout?.reason).toMatch(/^rolled back at \d+%: replica \d of weaver\.Main restarted \d+ times: it is crash-looping/);
      expect(await gone(v2Pids)).toEqual([]);
      expect(registrations().map((r) => r.deployment)).toEqual([v1.deployment]);
      const n = traffic.answers.length;
      while (traffic.answers.length < n + 50) await sleep(50);
      await traffic.stop();
      expect(traffic.failures).toEqual([]);
      expect(traffic.answers.slice(n).every((a) => v1Pids.includes(a.pid))).toBe(true);

      const shown = (await weaver("status")).stdout;
      console.log(`weaver multi status after the rollback:\n${shown}`);
      expect(shown).toContain("ROLLOUT OF netapp (rolled back)");
      expect(shown).toContain(`netapp: ${rollout?.reason}`);
      expect(shown).toMatch(new RegExp(`│ ${v1.deployment.slice(0, 8)} +│ 1\\.00`));
    } finally {
      await traffic.stop();
    }
  }, 120_000);

  it("rolls back a version 2 whose replica stops answering health checks, with no failed request", async () => {
    const v1 = await deploy(netappConfig());
    const v1Pids = pidsOf(await status(v1.deployment));
    const traffic = load(v1.port);
    let frozen: number | undefined;
    try {
      while (traffic.answers.length < 50) await sleep(50);
      const v2 = await deploy(netappConfig(`rollout = "20s"`));
      const v2Status = await status(v2.deployment);
      // A replica of Main that hangs: it neither answers requests nor health checks.
      frozen = v2Status.groups.find((g) => g.name === "weaver.Main")!.replicas[0]!.pid;
      process.kill(frozen, "SIGSTOP");
      let rollout: RolloutStatus | undefined;
      while ((rollout = (await status(v1.deployment)).rollout)?.state === "rolling") await sleep(100);
      expect(rollout?.state).toBe("rolled back");
      expect(rollout?.reason).toMatch(/^rolled back at \d+%: replica 0 of weaver\.Main failed its health checks/);
      expect(await gone(pidsOf(v2Status))).toEqual([]);
      const n = traffic.answers.length;
      while (traffic.answers.length < n + 50) await sleep(50);
      await traffic.stop();
      expect(traffic.failures).toEqual([]);
      expect(traffic.answers.slice(n).every((a) => v1Pids.includes(a.pid))).toBe(true);
    } finally {
      if (frozen !== undefined && alive(frozen)) process.kill(frozen, "SIGKILL");
      await traffic.stop();
    }
  }, 120_000);
});
