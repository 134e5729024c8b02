// The deployer conformance suite (Hono's shared runtime tests are the model): one set of cases
// that every deployer passes, run against the conformance app (test/apps/conformance) deployed
// the way a user deploys it, `weaver <deployer> deploy weaver.toml`, and observed only as a user
// and the tools observe it: its listener, its status server (StatusClient), its registry entry,
// its log file and its processes. A deployer's test file calls runDeployerCases() with how to
// tell its deployments apart; cases a deployer cannot pass are skipped with a reason.
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StatusClient, type DeploymentStatus, type LogEntry } from "@weaver/runtime";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROOT, TestProcess, stopAll } from "../support/process.js";

/** The conformance app's folder (its weaver.toml shows what the suite writes). */
const APP = join(ROOT, "test/apps/conformance");

/** A deployer under test. */
export interface DeployerUnderTest {
  /** Its name: `weaver <name> deploy`, its registry and data folder. */
  readonly name: string;
  /**
   * What happens when a component's process crashes: "heals" (it is restarted and calls succeed
   * again) or "ends" (the deployment is the process, so it ends with a failure status).
   */
  readonly crash: "heals" | "ends";
  /** Cases to skip, with why. */
  readonly skip?: readonly { readonly test: string; readonly reason: string }[];
}

/** A deployment the suite started. */
interface Deployed {
  readonly process: TestProcess;
  readonly id: string;
  readonly status: StatusClient;
  /** The base URL of the app's `api` listener. */
  readonly api: string;
}

/** Runs every case against `deployer`. */
export function runDeployerCases(deployer: DeployerUnderTest): void {
  const skipped = (test: string): boolean => deployer.skip?.some((s) => s.test === test) === true;
  const test = (name: string, body: () => Promise<void>, timeoutMs = 60_000): void => (skipped(name) ? it.skip : it)(name, body, timeoutMs);
  let data: string;
  let deployed: Deployed;

  /**
   * Writes a config for the app, its [serviceweaver] section with the keys of `serviceweaver`
   * added and then the sections of `sections`, and deploys it.
   */
  async function deploy(serviceweaver = "", sections = ""): Promise<TestProcess> {
    const file = join(data, `weaver-${randomUUID().slice(0, 8)}.toml`);
    writeFileSync(
      file,
      `[serviceweaver]\nbinary = ${JSON.stringify(join(APP, "dist/main.js"))}\ntraces_per_second = 0\n${serviceweaver}\n${sections}`,
    );
    return new TestProcess(process.execPath, [join(ROOT, "packages/cli/bin/weaver.js"), deployer.name, "deploy", file], {
      env: { XDG_DATA_HOME: data },
    });
  }

  /** Waits for the deployment `p` started to be registered and every replica ready. */
  async function ready(p: TestProcess): Promise<Deployed> {
    const id = (await p.waitFor(/deployment : ([0-9a-f-]{36})/))[1] as string;
    const file = join(data, "weaver", deployer.name, "registry", `${id}.json`);
    const status = await eventually(
      `deployment ${id} to register`,
      () => (existsSync(file) ? new StatusClient((JSON.parse(readFileSync(file, "utf8")) as { status: string }).status) : undefined),
      p,
    );
    const s = await eventually(
      `every replica of ${id} to be ready`,
      async () => {
        const now = await status.status();
        return now.listeners.length > 0 && now.groups.every((g) => g.replicas.length > 0 && g.replicas.every((r) => r.state === "ready"))
          ? now
          : undefined;
      },
      p,
    );
    const address = s.listeners.find((l) => l.name === "api")?.address as string;
    return { process: p, id, status, api: `http://${address.replace(/^\[::\]|^0\.0\.0\.0/, "127.0.0.1")}` };
  }

  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${deployed.api}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  };

  describe(`the ${deployer.name} deployer`, () => {
    beforeAll(async () => {
      data = mkdtempSync(join(tmpdir(), `weaver-conformance-${deployer.name}-`));
      deployed = await ready(await deploy());
    }, 60_000);
    afterEach(async () => {
      // A case that ended the deployment leaves a fresh one for the next.
      if (deployed.process.child.exitCode !== null || deployed.process.child.signalCode !== null) deployed = await ready(await deploy());
    }, 60_000);
    afterAll(async () => {
      await stopAll();
      rmSync(data, { recursive: true, force: true });
    });

    test("serves the app's listener and shows it in its status", async () => {
      expect(await get("/")).toEqual({ status: 200, text: "ok" });
      const s = await deployed.status.status();
      expect(s).toMatchObject({ app: "conformance", deployment: deployed.id });
      expect(s.components.map((c) => c.name).sort()).toEqual(["conformance/Echo", "conformance/Store", "weaver/Main"]);
    });

    test("carries calls across components, and between components other than Main", async () => {
      expect(await get("/echo?s=hello")).toEqual({ status: 200, text: "echo: hello" });
      expect(await get("/relay?s=kept")).toEqual({ status: 200, text: "relayed: saved kept" });
    });

    test("keeps an application error's class, name, message and fields", async () => {
      expect(await get("/fail?s=boom")).toEqual({ status: 200, text: "EchoError name=EchoError message=boom detail=from Echo" });
    });

    test("ends a call at its deadline and cancels it at the callee", async () => {
      const token = randomUUID();
      const { text } = await get(`/deadline?s=${token}`);
      expect(text).toMatch(/^deadline exceeded after \d+ ms$/);
      expect(Number(/(\d+) ms/.exec(text)![1])).toBeLessThan(5_000);
      await eventually("the callee to see the cancellation", async () =>
        (await deployed.status.logs(`msg == "sleep ${token} cancelled"`)).entries.length > 0 ? true : undefined,
      );
    });

    test("collects what components log, in the status server and the deployment's log file", async () => {
      const msg = `hello ${randomUUID()}`;
      expect((await get(`/log?s=${encodeURIComponent(msg)}`)).text).toBe("logged");
      const reply = await eventually("the entry in GET /logs", async () => {
        const r = await deployed.status.logs(`msg == "${msg}"`);
        return r.entries.length > 0 ? r : undefined;
      });
      expect(reply.entries[0]).toMatchObject({ component: "conformance.Echo", level: "info", msg, attrs: { suite: "conformance" } });
      const file = join(data, "weaver", deployer.name, "logs", `${deployed.id}.jsonl`);
      await eventually("the entry in the log file", () =>
        existsSync(file) && readFileSync(file, "utf8").includes(msg) ? true : undefined,
      );
    });

    test("counts each component method call in its metrics", async () => {
      for (let i = 0; i < 5; i++) await get(`/echo?s=${i}`);
      await eventually("5 more calls of Echo.echo in the metrics", async () => {
        let calls = 0;
        for (const m of (await deployed.status.metrics()).flatMap((r) => r.metrics.filter((x) => x.name === "weaver_method_count"))) {
          const [component, method] = [m.labels.indexOf("component"), m.labels.indexOf("method")];
          for (const x of m.series) if (x.labels[component] === "conformance/Echo" && x.labels[method] === "echo") calls += x.value;
        }
        return calls >= 5 ? true : undefined;
      });
    });

    test("traces a sampled request through the components it reaches", async () => {
      const traceId = randomUUID().replaceAll("-", "");
      const res = await fetch(`${deployed.api}/relay?s=traced`, { headers: { traceparent: `00-${traceId}-${"1".repeat(16)}-01` } });
      expect(await res.text()).toBe("relayed: saved traced");
      const spans = await eventually("the trace's spans", async () => {
        const found = await deployed.status.trace(traceId);
        return found?.some((s) => s.name === "conformance.Store.save") ? found : undefined;
      });
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
      expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(["conformance", "conformance.Echo.relay", "conformance.Store.save"]));
    });

    test("profiles every ready process of the deployment, through its status server", async () => {
      const profile = await deployed.status.profile({ type: "cpu", durationMs: 300 });
      const processes = (await deployed.status.status()).groups.reduce((n, g) => n + g.replicas.length, 0);
      expect(profile).toMatchObject({ app: "conformance", deployment: deployed.id, type: "cpu", failed: [] });
      expect(profile.replicas).toHaveLength(processes);
      expect((profile.profile as { nodes?: unknown[] }).nodes?.length).toBeGreaterThan(processes);
    });

    test("survives or reports a crashed process", async () => {
      const echoGroup = async () => (await deployed.status.status()).groups.find((g) => g.components.includes("conformance/Echo"));
      const before = new Set((await echoGroup())?.replicas.map((r) => r.pid));
      // Where the deployment is the process, the connection ends with it.
      const crash = await get("/crash").catch((e: Error) => ({ status: 0, text: e.message }));
      if (deployer.crash === "ends") {
        const { code } = await deployed.process.ended("to end after the crash", 20_000);
        expect(code).not.toBe(0);
        return;
      }
      expect(crash).toMatchObject({ status: 500, text: expect.stringMatching(/^RemoteCallError: /) });
      const after = await eventually("a new process in place of the one that crashed", async () => {
        const echo = await echoGroup();
        return echo?.replicas.every((r) => r.state === "ready") && echo.replicas.some((r) => r.restarts > 0 && !before.has(r.pid))
          ? echo
          : undefined;
      });
      const crashed = [...before].filter((pid) => !after.replicas.some((r) => r.pid === pid));
      expect(crashed).toHaveLength(1);
      expect(alive(crashed[0] as number)).toBe(false);
      for (let i = 0; i < 4; i++) expect(await get(`/echo?s=${i}`)).toEqual({ status: 200, text: `echo: ${i}` });
    });

    test("stops on SIGTERM: runs shutdown hooks, exits 0, and leaves no process or registration behind", async () => {
      const s: DeploymentStatus = await deployed.status.status();
      const pids = s.groups.flatMap((g) => g.replicas.map((r) => r.pid)).filter((p) => p > 0);
      expect(await deployed.process.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      for (const pid of pids) expect(alive(pid), `process ${pid} outlived its deployment`).toBe(false);
      expect(existsSync(join(data, "weaver", deployer.name, "registry", `${deployed.id}.json`))).toBe(false);
      const entries = readFileSync(join(data, "weaver", deployer.name, "logs", `${deployed.id}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as LogEntry);
      expect(entries.some((e) => e.msg === "Echo shut down" && e.component === "conformance.Echo")).toBe(true);
    });

    test("reports a component whose init() hangs, naming it, instead of waiting", async () => {
      const p = await deploy('env = ["CONFORMANCE_HANG_INIT=1"]\ninit_timeout = "300ms"\n');
      const { code } = await p.ended("to give up on the hung init()", 30_000);
      expect(code).toBe(1);
      expect(p.stderr).toContain("component conformance.Echo");
      expect(p.stderr).toContain("did not finish init() within 300ms");
      expect(p.stderr).toContain("raise [serviceweaver] init_timeout");
    });

    test("refuses a wrong key in its own section, and names the section and the key", async () => {
      const p = await deploy("", `[${deployer.name}]\nlistener.api = {address = ":0"}\n`);
      const { code } = await p.ended("to refuse the config", 20_000);
      expect(code).toBe(1);
      expect(p.stderr).toMatch(
        new RegExp(`weaver: .*weaver-[0-9a-f]{8}\\.toml: \\[${deployer.name}\\] listener: unknown key \\(known keys: listeners`),
      );
    });
  });
}

/** Whether a process exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` until it gives something, for at most 20 s; fails with what `process` printed, if given. */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, process?: TestProcess): Promise<T> {
  const deadline = Date.now() + 20_000;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const output = process === undefined ? "" : `\nstdout:\n${process.stdout}\nstderr:\n${process.stderr}`;
      throw new Error(`timed out waiting for ${what}${last === undefined ? "" : ` (last error: ${(last as Error).message})`}${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
