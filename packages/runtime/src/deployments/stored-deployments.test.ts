// Deployments known by their stored files, as the dashboard lists and opens ended ones.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logFile, registerDeployment, traceFile } from "./deployment-files.js";
import { listStoredDeployments, readStoredLogs, readStoredTraces } from "./stored-deployments.js";

let home: string;
let saved: string | undefined;

beforeEach(() => {
  saved = process.env["XDG_DATA_HOME"];
  home = mkdtempSync(join(tmpdir(), "weaver-stored-"));
  process.env["XDG_DATA_HOME"] = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = saved;
  rmSync(home, { recursive: true, force: true });
});

/** Writes lines to a file, its last write at `atMs`. */
function write(file: string, lines: readonly unknown[], atMs: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  utimesSync(file, atMs / 1000, atMs / 1000);
}
const entry = (msg: string, timeMs: number) => ({
  app: "shop",
  version: "v",
  component: "c",
  node: "n",
  time: timeMs * 1000,
  level: "info",
  file: "",
  line: -1,
  msg,
  attrs: {},
});

describe("stored deployments", () => {
  it("are listed from their files, most recent last write first, with their app and start, registered or not", () => {
    write(logFile("multi", "old"), [entry("a", 1_000_000), entry("b", 1_500_000)], 2_000_000_000);
    write(traceFile("single", "traced"), [{ traceId: "t", start: 3_000_000_000, resource: { app: "cart" } }], 4_000_000_000);
    write(logFile("multi", "empty"), [], 5_000_000_000);
    write(logFile("multi", "running"), [entry("x", 6_000_000)], 6_000_000_000);
    registerDeployment({
      deployer: "multi",
      deployment: "running",
      app: "shop",
      status: "http://127.0.0.1:1",
      pid: process.pid,
      started: 0,
    });
    expect(listStoredDeployments()).toEqual([
      {
        deployer: "multi",
        deployment: "running",
        app: "shop",
        started: 6_000_000,
        lastWrite: 6_000_000_000,
        hasLogs: true,
        hasTraces: false,
        registered: true,
      },
      {
        deployer: "single",
        deployment: "traced",
        app: "cart",
        started: 3_000_000,
        lastWrite: 4_000_000_000,
        hasLogs: false,
        hasTraces: true,
        registered: false,
      },
      {
        deployer: "multi",
        deployment: "old",
        app: "shop",
        started: 1_000_000,
        lastWrite: 2_000_000_000,
        hasLogs: true,
        hasTraces: false,
        registered: false,
      },
    ]);
  });

  it("give back their newest matching log entries and their traces", () => {
    write(
      logFile("multi", "d"),
      Array.from({ length: 50 }, (_, i) => entry(`m${i}`, 1_000 + i)),
      2_000_000,
    );
    const [d] = listStoredDeployments();
    expect(readStoredLogs(d!, (e) => Number(e.msg.slice(1)) % 2 === 0, 3).map((e) => e.msg)).toEqual(["m44", "m46", "m48"]);
    expect(readStoredTraces(d!).list()).toEqual([]);
  });
});
