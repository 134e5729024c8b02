// The mistakes new users make with `weaver multi deploy`, each run for real: every one must end in
// one line that names the config file, the listener, the address and the fix, with exit status 1,
// no stack trace, and nothing left behind (no socket folder in the temp folder, no registration, no
// log file, no process). And a Ctrl-C that reaches the whole process group, as a terminal's does,
// stops the deployment without restarting or warning about the replicas that got it too.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deployment, MULTI_SECTION } from "@weaver/multi";
import { loadDeployable, type DeploymentStatus, type LogEntry, type Registration } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const home = mkdtempSync(join(tmpdir(), "weaver-multi-mistakes-"));
afterEach(stopAll);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const NETAPP = join(ROOT, "test/apps/netapp/dist/main.js");
const REVERSER = join(ROOT, "examples/reverser/dist/main.js");

/** A fresh folder under the test's own. */
function fresh(name: string): string {
  return mkdtempSync(join(home, `${name}-`));
}

/** Writes a config for `binary` with the [multi] lines given; returns its path. */
function config(binary: string, multi: string): string {
  const file = join(fresh("config"), "weaver.toml");
  writeFileSync(file, `[serviceweaver]\nbinary = "${binary}"\n\n[multi]\n${multi}\n`);
  return file;
}

/**
 * What a deployer run leaves behind: every file under its XDG_DATA_HOME, and the entries of the
 * temp folder it was given (os.tmpdir() in the deployer, where its sockets' folder goes).
 */
function leftovers(data: string, temp: string): string[] {
  const files = (readdirSync(data, { recursive: true, withFileTypes: true }) as { isFile(): boolean; name: string }[])
    .filter((e) => e.isFile())
    .map((e) => e.name);
  return [...files, ...readdirSync(temp)];
}

/** Runs `weaver multi deploy` to its end with its own data and temp folders. */
async function deployToEnd(file: string): Promise<{ code: number | null; stdout: string; stderr: string; left: string[] }> {
  const data = fresh("data");
  const temp = fresh("tmp");
  const env = { XDG_DATA_HOME: data, TMPDIR: temp, XDG_RUNTIME_DIR: undefined };
  const run = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
  const status = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "status"], { env });
  expect(status.stderr).toContain("No multi deployment is running");
  return { ...run, left: leftovers(data, temp) };
}

/** Asserts that a run failed with exactly one `weaver: ` line, `message`, and left nothing. */
function expectOneError(run: Awaited<ReturnType<typeof deployToEnd>>, message: string | RegExp): void {
  expect(run.stdout).toBe(""); // no banner: there never was a deployment
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  if (typeof message === "string") expect(lines[0]).toBe(`weaver: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.code).toBe(1);
  expect(run.left).toEqual([]);
}

/** A port that some other program listens on (127.0.0.1), until `close`. */
async function busyPort(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const { port, close } = await busyPort();
  close();
  return port;
}

describe("weaver multi deploy, listener mistakes", () => {
  it("a port already in use: names the listener, the address and the fix", async () => {
    const busy = await busyPort();
    try {
      const file = config(NETAPP, `listeners.web = {address = "127.0.0.1:${busy.port}"}`);
      expectOneError(
        await deployToEnd(file),
        `${file}: [multi] listeners.web.address: cannot listen on 127.0.0.1:${busy.port}: the address is already in use; stop the program that listens there (\`lsof -i :${busy.port}\` shows it) or give web another port (":0" picks a free one)`,
      );
    } finally {
      busy.close();
    }
  });

  it("two listeners given one port: found by the config check, before anything starts", async () => {
    const port = await freePort();
    const file = config(NETAPP, `listeners.web = {address = "127.0.0.1:${port}"}\nlisteners.tcp = {address = "127.0.0.1:${port}"}`);
    expectOneError(
      await deployToEnd(file),
      `${file}: [multi] listeners.tcp.address: "127.0.0.1:${port}" takes the same port as listener web ("127.0.0.1:${port}"); two listeners cannot share a port: give tcp another one (":0" picks a free port)`,
    );
  });

  it("two listeners on one port under two names of one host: found when the second cannot listen", async () => {
    const port = await freePort();
    const file = config(NETAPP, `listeners.web = {address = "localhost:${port}"}\nlisteners.tcp = {address = "127.0.0.1:${port}"}`);
    expectOneError(
      await deployToEnd(file),
      `${file}: [multi] listeners.tcp.address: cannot listen on 127.0.0.1:${port}: listener web of this app listens there already; give tcp another port (":0" picks a free one)`,
    );
  });

  it("a host that does not resolve", async () => {
    const file = config(NETAPP, `listeners.web = {address = "nonexistent.invalid:8080"}`);
    const where = `${file}: [multi] listeners.web.address: cannot listen on nonexistent.invalid:8080: host nonexistent.invalid`;
    const fix = `use an IP address of this machine (127.0.0.1 for this machine only), or leave the host out (":8080") to listen on every interface`;
    const run = await deployToEnd(file);
    // Without a DNS server to ask, the answer is "try again" rather than "no such host".
    const expected = run.stderr.includes("cannot be resolved now")
      ? `${where} cannot be resolved now (the DNS server did not answer); try again, or ${fix}`
      : `${where} does not resolve; correct the host name, or ${fix}`;
    expectOneError(run, expected);
  });

  it("in process, as weaver dev --multi uses it: start() rejects with the same error, stop() leaves nothing", async () => {
    const busy = await busyPort();
    const runtimeDir = fresh("runtime");
    const saved = process.env["XDG_RUNTIME_DIR"];
    process.env["XDG_RUNTIME_DIR"] = runtimeDir;
    try {
      const file = config(NETAPP, `listeners.web = {address = "127.0.0.1:${busy.port}"}`);
      const { config: loaded, manifest, binary } = loadDeployable(file, [MULTI_SECTION]);
      const deployment = new Deployment({ config: loaded, manifest, binary, app: manifest.app, print: false });
      await expect(deployment.start()).rejects.toMatchObject({
        code: "WEAVER_ERR_CONFIG_LISTENER",
        message: expect.stringContaining(
          `[multi] listeners.web.address: cannot listen on 127.0.0.1:${busy.port}: the address is already in use`,
        ),
      });
      await deployment.stop();
      await expect(deployment.ready()).rejects.toMatchObject({ code: "WEAVER_ERR_CONFIG_LISTENER" });
      expect(readdirSync(runtimeDir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env["XDG_RUNTIME_DIR"];
      else process.env["XDG_RUNTIME_DIR"] = saved;
      busy.close();
    }
  });
});

describe("weaver multi deploy, stopped by a signal to the whole process group", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} (a terminal's Ctrl-C, or timeout): no replica is restarted or warned about`, async () => {
      const data = fresh("data");
      const temp = fresh("tmp");
      const env = { XDG_DATA_HOME: data, TMPDIR: temp, XDG_RUNTIME_DIR: undefined };
      const file = config(REVERSER, `listeners.lis = {address = "127.0.0.1:0"}`);
      const app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
      const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
      await settled(data, deployment as string);

      // TestProcess.stop signals the group: the deployer and its replicas get it at the same moment.
      const { code } = await app.stop(signal);
      expect(code).toBe(0);
      expect(app.stdout + app.stderr).not.toMatch(/restart|exited with status|^[WE]\d{4} /m);
      const logged = readFileSync(join(data, "weaver", "multi", "logs", `${deployment}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as LogEntry);
      expect(logged.filter((e) => e.level === "warn" || e.level === "error")).toEqual([]);
      expect(readdirSync(join(data, "weaver", "multi", "registry"))).toEqual([]);
      expect(readdirSync(temp)).toEqual([]);
    });
  }
});

/** Waits until every replica of the deployment is ready, through its status server. */
async function settled(data: string, deployment: string): Promise<void> {
  const registry = join(data, "weaver", "multi", "registry");
  const deadline = Date.now() + 20_000;
  let last: DeploymentStatus | undefined;
  for (;;) {
    try {
      const r = JSON.parse(readFileSync(join(registry, `${deployment}.json`), "utf8")) as Registration;
      last = (await (await fetch(`${r.status}/status`)).json()) as DeploymentStatus;
      if (last.groups.every((g) => g.replicas.every((x) => x.state === "ready"))) return;
    } catch {
      // Not registered yet.
    }
    if (Date.now() > deadline) throw new Error(`deployment not settled: ${JSON.stringify(last?.groups)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
