import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerDeployment, registryDir, type Registration } from "./deployment-files.js";
import type { DeploymentStatus } from "./deployment-status.js";
import { listDeployments } from "./deployment-list.js";

const ID_A = "aaaaaaaa-0000-4000-8000-000000000001";
const ID_B = "bbbbbbbb-0000-4000-8000-000000000002";

let home: string;
let saved: string | undefined;
const servers: Server[] = [];

beforeEach(() => {
  // Registries live under XDG_DATA_HOME: never touch the user's real one.
  saved = process.env["XDG_DATA_HOME"];
  home = mkdtempSync(join(tmpdir(), "weaver-multi-list-"));
  process.env["XDG_DATA_HOME"] = home;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  if (saved === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = saved;
  rmSync(home, { recursive: true, force: true });
});

function status(deployment: string, fields: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return {
    app: "hello",
    deployment,
    started: 1000,
    pid: process.pid,
    configFile: "weaver.toml",
    config: {},
    groups: [],
    components: [],
    listeners: [],
    ...fields,
  };
}

/** Starts a fake status server on 127.0.0.1:0 that answers GET /status with `answer`. */
async function statusServer(answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === "/status") answer(res);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const serving = (s: DeploymentStatus) => (res: ServerResponse) => res.end(JSON.stringify(s));

function register(fields: Partial<Registration> & { deployment: string; status: string }): Registration {
  const r: Registration = { deployer: "multi", app: "hello", pid: process.pid, started: 1000, ...fields };
  registerDeployment(r);
  return r;
}

const registered = (deployment: string): boolean => existsSync(join(registryDir("multi"), `${deployment}.json`));

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid as number;
}

/** An address where nothing listens (a port just freed). */
async function refusingAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

describe("listDeployments", () => {
  it("finds nothing, and creates nothing, when no registry exists", async () => {
    expect(await listDeployments()).toEqual({ running: [], unreachable: [], removed: [] });
    expect(existsSync(join(home, "weaver"))).toBe(false);
  });

  it("returns a live deployment's status and keeps its registration", async () => {
    const s = status(ID_A, { listeners: [{ name: "lis", address: "127.0.0.1:8080" }] });
    const r = register({ deployment: ID_A, status: await statusServer(serving(s)) });
    const listing = await listDeployments();
    expect(listing).toEqual({ running: [{ registration: r, status: s }], unreachable: [], removed: [] });
    expect(registered(ID_A)).toBe(true);
  });

  it("deletes the registration of a deployment whose deployer process is dead", async () => {
    const url = await statusServer(serving(status(ID_A))); // even one that still answers
    const pid = await deadPid();
    register({ deployment: ID_A, status: url, pid });
    const listing = await listDeployments();
    expect(listing.running).toEqual([]);
    expect(listing.removed).toEqual([expect.objectContaining({ reason: `its deployer (pid ${pid}) is not running` })]);
    expect(registered(ID_A)).toBe(false);
  });

  it("deletes the registration of a deployment whose status address refuses connections", async () => {
    const url = await refusingAddress();
    register({ deployment: ID_A, status: url });
    const listing = await listDeployments();
    expect(listing.removed.map((s) => s.reason)).toEqual([`nothing listens on its status address ${url}`]);
    expect(registered(ID_A)).toBe(false);
  });

  it("deletes the registration of a deployment whose status address serves another deployment", async () => {
    const url = await statusServer(serving(status(ID_B)));
    register({ deployment: ID_A, status: url });
    register({ deployment: ID_B, status: url, started: 2000 });
    const listing = await listDeployments();
    expect(listing.running.map((d) => d.status.deployment)).toEqual([ID_B]);
    expect(listing.removed.map((s) => s.reason)).toEqual([`its status address ${url} now serves deployment ${ID_B}`]);
    expect(registered(ID_A)).toBe(false);
    expect(registered(ID_B)).toBe(true);
  });

  it("keeps, but reports, a deployment whose status server fails or answers nonsense", async () => {
    register({ deployment: ID_A, status: await statusServer((res) => res.writeHead(500).end("boom")) });
    register({ deployment: ID_B, status: await statusServer((res) => res.end("<html>")), started: 2000 });
    const listing = await listDeployments();
    expect(listing.running).toEqual([]);
    expect(listing.removed).toEqual([]);
    expect(listing.unreachable.map((u) => [u.registration.deployment, u.reason])).toEqual([
      [ID_A, expect.stringMatching(/did not answer: HTTP status 500: boom$/)],
      [ID_B, expect.stringMatching(/answered with something that is not JSON$/)],
    ]);
    expect(registered(ID_A) && registered(ID_B)).toBe(true);
  });

  it("does not trust a status server that names another deployer pid", async () => {
    register({ deployment: ID_A, status: await statusServer(serving(status(ID_A, { pid: 1 }))) });
    const listing = await listDeployments();
    expect(listing.running).toEqual([]);
    expect(listing.unreachable[0]?.reason).toBe(`its status server reports deployer pid 1, but the registration says ${process.pid}`);
    expect(registered(ID_A)).toBe(true);
  });

  it("gives up on a status server that does not answer in time", async () => {
    register({ deployment: ID_A, status: await statusServer(() => {}) }); // never answers
    const listing = await listDeployments({ timeoutMs: 200 });
    expect(listing.unreachable[0]?.reason).toMatch(/did not answer: no answer within 200 ms$/);
  });

  it("lists running deployments by app, then by start time", async () => {
    const ids = ["cccccccc-0000-4000-8000-000000000003", ID_B, ID_A];
    const apps = ["b-app", "a-app", "a-app"];
    const started = [1, 3000, 2000];
    for (const [i, id] of ids.entries()) {
      const s = status(id, { app: apps[i] as string, started: started[i] as number });
      register({ deployment: id, app: apps[i] as string, started: started[i] as number, status: await statusServer(serving(s)) });
    }
    const listing = await listDeployments();
    expect(listing.running.map((d) => d.status.deployment)).toEqual([ID_A, ID_B, ids[0]]);
  });
});
