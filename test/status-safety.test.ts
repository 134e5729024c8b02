// What an attacker on the same machine sees of a real multi deployment of the reverser (and of an
// older deployer's status server): Host and Origin checks, POST /profile only with the Weaver
// header, no config secret in any output, and log queries whose regular expressions run in linear
// time, so that one query cannot stall the deployer. XDG_DATA_HOME is a .tmp-* folder of the
// checkout, never the user's.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { registerDeployment, type DeploymentStatus, type Registration } from "@weaver/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registration, settled } from "./support/deployments.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(ROOT, ".tmp-status-safety-"));
const env = { XDG_DATA_HOME: data, TMPDIR: data };
const weaver = (...args: string[]) => runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", ...args], { env });

/** Exponential for a backtracking engine on a 36-character deployment id: 2^35 paths, hours per entry. */
const EXPONENTIAL = 'full_version.matches("^([\\\\w-]+)+!")';

let deployer: TestProcess;
let reg: Registration;
let fake: Server | undefined;

beforeAll(async () => {
  const file = join(data, "weaver.toml");
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\nargs = ["--password=hunter2"]\n` +
      `env = ["DB_URL=postgres://ada:hunter3@db/x"]\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
  );
  deployer = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
  const deployment = (await deployer.waitFor(/deployment : ([0-9a-f-]{36})/))[1]!;
  reg = await registration(data, deployment);
  await settled(reg.status);
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => (fake === undefined ? resolve(undefined) : fake.close(resolve)));
  await stopAll();
  rmSync(data, { recursive: true, force: true });
});

/** A request through node:http, which sends any Host and Origin, as a browser under attack would. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${reg.status}${path}`, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject).end();
  });
}

describe("a multi deployment's status server", () => {
  it("refuses GET /status and /logs addressed to another host name (DNS rebinding)", async () => {
    const port = new URL(reg.status).port;
    for (const path of ["/status", "/logs", "/stats"]) {
      const res = await send(path, { headers: { host: `evil.example.com:${port}` } });
      expect(res.status, path).toBe(403);
      expect(res.body).not.toContain(reg.deployment);
    }
    expect((await send("/status")).status).toBe(200);
  });

  it("refuses a cross-site simple POST /profile, and still profiles for the tool", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect((await send("/profile?type=heap", { method: "POST", headers: { ...form, origin: "http://evil.example.com" } })).status).toBe(
      403,
    );
    expect((await send("/profile?type=heap", { method: "POST", headers: form })).status).toBe(403);
    const tool = await weaver("profile", "--type", "heap", reg.deployment);
    expect(tool.code, tool.stderr).toBe(0);
    expect(tool.stdout).toMatch(/\.heapprofile\n$/);
  }, 60_000);

  it("shows no config secret in /status or `weaver multi status --json`", async () => {
    const raw = (await send("/status")).body;
    const json = await weaver("status", "--json");
    expect(json.code, json.stderr).toBe(0);
    for (const text of [raw, json.stdout]) {
      expect(text).toContain("--password=<redacted>");
      expect(text).not.toMatch(/hunter2|hunter3/);
    }
  });

  it("answers a log query with an exponential pattern at once, and /status meanwhile", async () => {
    // The query has entries to test: every one carries the deployment id it runs against.
    expect((JSON.parse((await send("/logs")).body) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
    const query = send(`/logs?q=${encodeURIComponent(EXPONENTIAL)}`);
    const status = send("/status");
    expect(JSON.parse((await status).body) as DeploymentStatus).toMatchObject({ deployment: reg.deployment });
    expect(await query).toMatchObject({ status: 200 });
    expect(JSON.parse((await query).body)).toMatchObject({ entries: [] });
    // The same through the CLI, which reads the log file in its own process.
    const cli = await weaver("logs", EXPONENTIAL);
    expect(cli.code, cli.stderr).toBe(0);
  }, 60_000);

  it("refuses patterns RE2 does not support, saying where and why", async () => {
    const q = 'msg.matches("(a)\\\\1")';
    const res = await send(`/logs?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(400);
    expect((JSON.parse(res.body) as { error: string }).error).toContain(
      "invalid log query at position 17: bad regular expression (RE2 syntax): `\\1` is a backreference, which RE2 does not support",
    );
    const cli = await weaver("logs", q);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("invalid log query at position 17");
    expect(cli.stderr).toContain("`\\1` is a backreference");
  });
});

describe("a deployment whose status server requires a token (WEAVER_STATUS_TOKEN=1)", () => {
  it("answers no one without it, and the tools with it, read from the registration", async () => {
    const file = join(data, "token.toml");
    writeFileSync(
      file,
      `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
    );
    const app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], {
      env: { ...env, WEAVER_STATUS_TOKEN: "1" },
    });
    const deployment = (await app.waitFor(/deployment : ([0-9a-f-]{36})/))[1]!;
    const r = await registration(data, deployment);
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(data, "weaver", "multi", "registry", `${deployment}.json`)).mode & 0o777).toBe(0o600);
    expect((await fetch(`${r.status}/status`)).status).toBe(401);
    const authorized = async (): Promise<DeploymentStatus> =>
      (await fetch(`${r.status}/status`, { headers: { authorization: `Bearer ${r.token}` } })).json() as Promise<DeploymentStatus>;
    expect((await authorized()).deployment).toBe(deployment);
    await expect
      .poll(async () => (await authorized()).groups.every((g) => g.replicas.every((x) => x.state === "ready")), { timeout: 20_000 })
      .toBe(true);
    const json = await weaver("status", "--json");
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as DeploymentStatus[]).map((s) => s.deployment)).toContain(deployment);
    const profile = await weaver("profile", "--type", "heap", deployment);
    expect(profile.code, profile.stderr).toBe(0);
    await app.stop();
  }, 60_000);
});

describe("the tools, reading an older deployer's status server", () => {
  it("show no component config secret in `weaver multi status --json`", async () => {
    const id = "0123abcd-0000-4000-8000-00000000beef";
    const status: DeploymentStatus = {
      app: "shop",
      deployment: id,
      started: Date.now(),
      pid: process.pid,
      configFile: "/app/weaver.toml",
      config: { "shop/Store": { password: "hunter2", user: "ada" } },
      groups: [],
      components: [],
      listeners: [],
    };
    fake = createServer((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(status)));
    await new Promise<void>((resolve) => fake!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const saved = process.env["XDG_DATA_HOME"];
    process.env["XDG_DATA_HOME"] = data;
    try {
      registerDeployment({ deployer: "multi", deployment: id, app: "shop", status: url, pid: process.pid, started: status.started });
    } finally {
      if (saved === undefined) delete process.env["XDG_DATA_HOME"];
      else process.env["XDG_DATA_HOME"] = saved;
    }
    const json = await weaver("status", "--json");
    expect(json.code, json.stderr).toBe(0);
    const shown = (JSON.parse(json.stdout) as DeploymentStatus[]).find((s) => s.deployment === id);
    expect(shown?.config).toEqual({ "shop/Store": { password: "<redacted>", user: "ada" } });
    expect(json.stdout).not.toContain("hunter2");
  });
});
