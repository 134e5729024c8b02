// `weaver multi status | logs | purge`, run for real against a fake deployment: a registration
// file and a status server in this process, log files written by hand, and (for purge) a stand-in
// deployer process. XDG_DATA_HOME points every weaver run at a temp folder, never at the user's.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PrettyPrinter, type DeploymentStatus, type LogEntry, type Registration } from "@weaver/runtime";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const BIN = join(ROOT, "packages/cli/bin/weaver.js");
const ID = "bd689290-4929-47f1-a0f0-774d5e1a9307";
const OTHER = "0c0ffee0-1111-4222-8333-444455556666";
const SYSTEM_ATTR = "weaver/system";

afterEach(stopAll);

/** A fresh XDG_DATA_HOME; returns it and the multi deployer's data folder in it. */
function dataHome(): { home: string; data: string } {
  const home = mkdtempSync(join(tmpdir(), "weaver-cli-multi-"));
  return { home, data: join(home, "weaver", "multi") };
}

/** Runs weaver to the end with XDG_DATA_HOME = home, without colour, stdin not a terminal. */
function weaver(home: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runToEnd(process.execPath, [BIN, ...args], { env: { XDG_DATA_HOME: home } });
}

/** Writes a registration file, as a deployer does. */
function register(data: string, r: Registration): void {
  mkdirSync(join(data, "registry"), { recursive: true });
  writeFileSync(join(data, "registry", `${r.deployment}.json`), JSON.stringify(r) + "\n");
}

/** Starts a status server on 127.0.0.1:0 answering GET /status with the status `get` gives. */
async function statusServer(get: () => DeploymentStatus): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === "/status") res.setHeader("content-type", "application/json").end(JSON.stringify(get()));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The httpserver deployment of weaver-behaviours.md §2.7, run by deployer `pid`. */
function httpserverStatus(pid: number, started: number): DeploymentStatus {
  const group = (name: string, full: string, pids: number[]) => ({
    name,
    components: [full],
    replicas: pids.map((p, i) => ({ id: `replica-${p}`, pid: p, state: "ready" as const, started, restarts: i })),
  });
  return {
    app: "httpserver",
    deployment: ID,
    started,
    pid,
    configFile: "/home/ada/httpserver/weaver.toml",
    config: { multi: { listeners: { lis: { address: "localhost:8080" } } } },
    groups: [
      group("weaver.Main", "weaver/Main", [30195, 30194]),
      group("httpserver.Reverser", "httpserver/Reverser", [30196, 30197]),
      group("httpserver.Converter", "httpserver/Converter", [30199, 30198]),
    ],
    components: [
      { name: "weaver/Main", short: "weaver.Main", group: "weaver.Main" },
      { name: "httpserver/Converter", short: "httpserver.Converter", group: "httpserver.Converter" },
      { name: "httpserver/Reverser", short: "httpserver.Reverser", group: "httpserver.Reverser" },
    ],
    listeners: [{ name: "lis", address: "127.0.0.1:8080" }],
  };
}

/** A log entry of the httpserver app. */
function entry(time: number, msg: string, fields: Partial<LogEntry> = {}): LogEntry {
  return {
    app: "httpserver",
    version: ID,
    component: "stdout",
    node: "ac04576d-1cf0-4a4e-a2c4-7c39ad2ac7f1",
    time,
    level: "stdout",
    file: "",
    line: -1,
    msg,
    attrs: {},
    ...fields,
  };
}

/** Appends entries to a deployment's log file, one JSON line each. */
function writeLog(data: string, deployment: string, entries: readonly LogEntry[]): string {
  mkdirSync(join(data, "logs"), { recursive: true });
  const file = join(data, "logs", `${deployment}.jsonl`);
  appendFileSync(file, entries.map((e) => JSON.stringify(e) + "\n").join(""));
  return file;
}

/** The pretty lines weaver prints for entries (same time zone: the child inherits ours). */
function pretty(entries: readonly LogEntry[]): string {
  const printer = new PrettyPrinter(false);
  return entries.map((e) => printer.format(e) + "\n").join("");
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "packages/cli/dist/main.js"))) {
    throw new Error("packages/cli is not built: run `npx tsc -b` (or npm run build) first");
  }
});

describe("weaver multi (the group)", () => {
  it("lists its sub-commands for help, and on stderr with status 2 when bare", async () => {
    const { home } = dataHome();
    const help = await weaver(home, ["help", "multi"]);
    expect(help.code).toBe(0);
    for (const sub of [
      /logs \[options\] \[query\] +Cat or follow/,
      /purge \[options\] +Stop every/,
      /status \[options\] +Show the status/,
    ]) {
      expect(help.stdout).toMatch(sub);
    }
    expect((await weaver(home, ["multi", "--help"])).stdout).toBe(help.stdout);
    const bare = await weaver(home, ["multi"]);
    expect(bare).toMatchObject({ code: 2, stdout: "", stderr: help.stdout });
    expect((await weaver(home, ["help"])).stdout).toMatch(/weaver multi +<command> \.\.\. +\/\/ for multiprocess deployments/);
  });

  it.each([["status"], ["logs"], ["purge"]])("has Usage and Examples for multi %s", async (sub) => {
    const { home } = dataHome();
    const help = await weaver(home, ["help", "multi", sub]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: weaver multi ${sub}`);
    expect(help.stdout).toMatch(/\nExamples:\n {2}# .+\n {2}weaver multi /);
  });

  it("documents the query fields and Service Weaver's query examples in the logs help", async () => {
    const { home } = dataHome();
    const help = (await weaver(home, ["multi", "logs", "--help"])).stdout;
    for (const field of [
      "app",
      "version",
      "full_version",
      "component",
      "full_component",
      "node",
      "full_node",
      "level",
      "source",
      "msg",
      "time",
      'attrs["k"]',
    ]) {
      expect(help).toMatch(new RegExp(`\\n {4}${field.replace(/[[\]"]/g, "\\$&")} +\\S`));
    }
    for (const example of [
      `'version == "bd689290"'`,
      `'msg.contains("listener")'`,
      `'attrs["user"] == "ada"'`,
      `'time >= timestamp("2026-01-02T15:04:05Z")'`,
    ]) {
      expect(help).toContain(example);
    }
  });
});

describe("weaver multi status", () => {
  let home: string;
  let data: string;
  let server: Server;
  let started: number;
  let stale: string;

  beforeAll(async () => {
    ({ home, data } = dataHome());
    started = Date.now() - 63_000;
    const s = await statusServer(() => httpserverStatus(process.pid, started));
    server = s.server;
    register(data, { deployer: "multi", deployment: ID, app: "httpserver", status: s.url, pid: process.pid, started });
    // A deployment whose deployer died without cleaning up: a pid that has exited.
    const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(dead, "exit");
    stale = join(data, "registry", `${OTHER}.json`);
    register(data, { deployer: "multi", deployment: OTHER, app: "aaa", status: s.url, pid: dead.pid as number, started });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(home, { recursive: true, force: true });
  });

  it("prints the three tables of a running deployment byte for byte, and removes stale registrations", async () => {
    const r = await weaver(home, ["multi", "status"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    // The age depends on how long weaver took to start: 1m3s, or a second or two more.
    expect(r.stdout.replace(/│ 1m[3-9]s │/, "│ 1m3s │")).toBe(
      [
        "╭──────────────────────────────────────────────────────────╮",
        "│ DEPLOYMENTS                                              │",
        "├────────────┬──────────────────────────────────────┬──────┤",
        "│ APP        │ DEPLOYMENT                           │ AGE  │",
        "├────────────┼──────────────────────────────────────┼──────┤",
        "│ httpserver │ bd689290-4929-47f1-a0f0-774d5e1a9307 │ 1m3s │",
        "╰────────────┴──────────────────────────────────────┴──────╯",
        "╭───────────────────────────────────────────────────────────────╮",
        "│ COMPONENTS                                                    │",
        "├────────────┬────────────┬──────────────────────┬──────────────┤",
        "│ APP        │ DEPLOYMENT │ COMPONENT            │ REPLICA PIDS │",
        "├────────────┼────────────┼──────────────────────┼──────────────┤",
        "│ httpserver │ bd689290   │ weaver.Main          │ 30194, 30195 │",
        "│ httpserver │ bd689290   │ httpserver.Converter │ 30198, 30199 │",
        "│ httpserver │ bd689290   │ httpserver.Reverser  │ 30196, 30197 │",
        "╰────────────┴────────────┴──────────────────────┴──────────────╯",
        "╭─────────────────────────────────────────────────────╮",
        "│ LISTENERS                                           │",
        "├────────────┬────────────┬──────────┬────────────────┤",
        "│ APP        │ DEPLOYMENT │ LISTENER │ ADDRESS        │",
        "├────────────┼────────────┼──────────┼────────────────┤",
        "│ httpserver │ bd689290   │ lis      │ 127.0.0.1:8080 │",
        "╰────────────┴────────────┴──────────┴────────────────╯",
        "",
      ].join("\n"),
    );
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(data, "registry"))).toEqual([`${ID}.json`]);
  });

  it("prints the statuses as a JSON array with --json", async () => {
    const r = await weaver(home, ["multi", "status", "--json"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual([httpserverStatus(process.pid, started)]);
  });

  it("prints empty tables and a note on stderr when nothing runs", async () => {
    const empty = dataHome();
    const r = await weaver(empty.home, ["multi", "status"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("No multi deployment is running; start one with `weaver multi deploy weaver.toml`.\n");
    expect(r.stdout).toContain("│ APP │ DEPLOYMENT │ AGE │\n├─────┼────────────┼─────┤\n╰─────┴────────────┴─────╯\n");
    expect((await weaver(empty.home, ["multi", "status", "--json"])).stdout).toBe("[]\n");
    rmSync(empty.home, { recursive: true, force: true });
  });
});

describe("weaver multi logs", () => {
  let home: string;
  let data: string;
  const t0 = Date.UTC(2023, 9, 3, 10, 51, 2) * 1000 + 42_859;
  const replicaA = entry(t0, "http listener available on 127.0.0.1:8080");
  const replicaB = entry(t0 + 351, "http listener available on 127.0.0.1:8080", { node: "c03c4eed-0000-4000-8000-000000000000" });
  const reversing = entry(t0 + 2_000_000, "reversing", {
    component: "httpserver.Reverser",
    level: "info",
    file: "reverser.ts",
    line: 13,
    node: "9d1e8a77-0000-4000-8000-000000000000",
    attrs: { user: "ada" },
  });
  const restart = entry(t0 + 3_000_000, "replica restarted", { component: "deployer", level: "warn", attrs: { [SYSTEM_ATTR]: "true" } });
  const other = entry(t0 + 1_000_000, "hello from another deployment", {
    app: "hello",
    version: OTHER,
    level: "error",
    component: "hello.Main",
  });

  beforeAll(() => {
    ({ home, data } = dataHome());
    writeLog(data, ID, [replicaA, replicaB, reversing, restart]);
    writeLog(data, OTHER, [other]);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("prints every deployment's entries in time order, without system entries", async () => {
    const r = await weaver(home, ["multi", "logs"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(pretty([replicaA, replicaB, other, reversing]));
    expect(r.stdout.split("\n")[0]).toMatch(
      /^S\d{4} \d\d:51:02\.042859 stdout {15}ac04576d {22}│ http listener available on 127\.0\.0\.1:8080$/,
    );
  });

  it("includes system entries with --system", async () => {
    const r = await weaver(home, ["multi", "logs", "--system"]);
    expect(r.stdout).toBe(pretty([replicaA, replicaB, other, reversing, restart]));
  });

  it.each([
    [`version == "bd689290"`, [replicaA, replicaB, reversing]],
    [`version == "0c0ffee0" && level == "error"`, [other]],
    [`msg.contains("available") && node == "c03c4eed"`, [replicaB]],
    [`attrs["user"] == "ada"`, [reversing]],
    [`time >= timestamp("2023-10-03T10:51:03Z")`, [other, reversing]],
    [`"weaver/system" in attrs`, [restart]],
  ])("prints the entries that match %s", async (query, expected) => {
    const r = await weaver(home, ["multi", "logs", query]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(pretty(expected));
  });

  it("prints JSON objects, one a line, with --format json", async () => {
    const r = await weaver(home, ["multi", "logs", "--format", "json", `component == "httpserver.Reverser"`]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      JSON.stringify({
        app: "httpserver",
        version: "bd689290",
        full_version: ID,
        component: "httpserver.Reverser",
        full_component: "httpserver.Reverser",
        node: "9d1e8a77",
        full_node: "9d1e8a77-0000-4000-8000-000000000000",
        time: "2023-10-03T10:51:04.042859Z",
        level: "info",
        file: "reverser.ts",
        line: 13,
        msg: "reversing",
        attrs: { user: "ada" },
      }) + "\n",
    );
  });

  it("explains a bad query with its position and exits with status 2", async () => {
    const r = await weaver(home, ["multi", "logs", `level == "info" && msg = "x"`]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "weaver: invalid log query at position 24: use == to compare\n" +
        `  level == "info" && msg = "x"\n` +
        "                         ^\n" +
        `See "weaver multi logs --help" for the fields and examples.\n`,
    });
    const format = await weaver(home, ["multi", "logs", "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are pretty, json");
  });

  it("says so when there are no logs at all", async () => {
    const empty = dataHome();
    const r = await weaver(empty.home, ["multi", "logs"]);
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr: `No logs yet: ${join(empty.data, "logs")} has no log files. Deploy an app with \`weaver multi deploy weaver.toml\`.\n`,
    });
    rmSync(empty.home, { recursive: true, force: true });
  });

  it("follows: prints entries appended after it started, until SIGINT", async () => {
    const follow = dataHome();
    const first = entry(t0, "first");
    const file = writeLog(follow.data, ID, [first]);
    const p = new TestProcess(process.execPath, [BIN, "multi", "logs", "--follow", 'msg != "skip"'], {
      env: { XDG_DATA_HOME: follow.home },
    });
    await p.waitFor(/│ first\n/);
    const later = entry(t0 + 1, "appended later");
    const text = JSON.stringify(later) + "\n";
    appendFileSync(file, JSON.stringify(entry(t0 + 1, "skip")) + "\n" + text.slice(0, 40)); // a line half written
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(file, text.slice(40));
    await p.waitFor(/│ appended later\n/);
    const newer = entry(t0 + 2, "from a new deployment", { version: OTHER });
    writeLog(follow.data, OTHER, [newer]);
    await p.waitFor(/│ from a new deployment\n/);
    expect(await p.stop("SIGINT")).toEqual({ code: 0, signal: null });
    expect(p.stdout).toBe(pretty([first, later, newer]));
    expect(p.stderr).toBe("");
    rmSync(follow.home, { recursive: true, force: true });
  });
});

describe("weaver multi purge", () => {
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  /** A stand-in deployer (exits 0 on SIGTERM), registered with a status server that vouches for it. */
  async function fakeDeployment(data: string): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ["-e", `process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000); console.log("ready");`],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.push(child);
    await once(child.stdout as NodeJS.ReadableStream, "data");
    const started = Date.now();
    const { url, server } = await statusServer(() => httpserverStatus(child.pid as number, started));
    servers.push(server);
    register(data, { deployer: "multi", deployment: ID, app: "httpserver", status: url, pid: child.pid as number, started });
    writeLog(data, ID, [entry(started * 1000, "hello")]);
    return child;
  }

  it("refuses without a terminal and without --force, changing nothing", async () => {
    const { home, data } = dataHome();
    const child = await fakeDeployment(data);
    const r = await weaver(home, ["multi", "purge"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "WARNING: You are about to stop these running deployments (SIGTERM to each deployer, SIGKILL after 10s):\n" +
        "  APP         DEPLOYMENT                            DEPLOYER PID\n" +
        `  httpserver  ${ID}  ${child.pid}\n` +
        "\n" +
        "WARNING: You are about to delete this folder, with the logs of every deployment:\n" +
        `  ${data}\n` +
        "\n",
    );
    expect(r.stderr).toBe(
      "weaver: purge asks for confirmation, but stdin is not a terminal; nothing was changed. " +
        "Run `weaver multi purge --force` to purge without asking.\n",
    );
    expect(child.exitCode).toBeNull();
    expect(existsSync(join(data, "logs", `${ID}.jsonl`))).toBe(true);
    rmSync(home, { recursive: true, force: true });
  });

  it("stops the registered deployer and deletes the data folder with --force", async () => {
    const { home, data } = dataHome();
    const child = await fakeDeployment(data);
    const exited = once(child, "exit");
    const r = await weaver(home, ["multi", "purge", "--force"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(`WARNING: You are about to delete this folder, with the logs of every deployment:\n  ${data}\n\n`);
    expect(r.stdout.endsWith(`Stopping deployment ${ID} of httpserver (deployer pid ${child.pid})... ✅\nDeleting ${data}... ✅\n`)).toBe(
      true,
    );
    expect(await exited).toEqual([0, null]);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(home)).toBe(true);
    rmSync(home, { recursive: true, force: true });
  });

  it("has nothing to do when nothing runs and there is no data folder", async () => {
    const { home, data } = dataHome();
    const r = await weaver(home, ["multi", "purge"]);
    expect(r).toEqual({ code: 0, stdout: `Nothing to purge: no multi deployment is running and ${data} does not exist.\n`, stderr: "" });
    rmSync(home, { recursive: true, force: true });
  });
});
