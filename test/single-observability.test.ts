// Metrics, statistics and traces of a single-process deployment: the same status server routes
// as a multi deployment, registered under the "single" deployer.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentStats, DeploymentStatus, Registration, SpanRecord, TraceSummary } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-single-obs-"));
const registry = join(data, "weaver", "single", "registry");
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe("a single-process deployment's status server", () => {
  it("is registered, serves Prometheus text, statistics and traces of a known load, and is unregistered on SIGTERM", async () => {
    const app = new TestProcess(process.execPath, [join(ROOT, "examples/reverser/dist/main.js")], { env: { XDG_DATA_HOME: data } });
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const [, port] = await app.waitFor(/http listener available on \[::\]:(\d+)\n/);
    const registration = JSON.parse(readFileSync(join(registry, `${deployment}.json`), "utf8")) as Registration;
    expect(registration).toMatchObject({ app: "reverser", deployment, pid: app.child.pid });
    for (let i = 0; i < 7; i++) await (await fetch(`http://127.0.0.1:${port}/both?name=ab`)).text();
    for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${port}/reverse?name=ab`)).text();

    const status = (await (await fetch(`${registration.status}/status`)).json()) as DeploymentStatus;
    expect(status.groups).toEqual([
      {
        name: "weaver.Main",
        components: ["weaver/Main", "reverser/Converter", "reverser/Reverser"],
        replicas: [expect.objectContaining({ pid: app.child.pid, state: "ready" })],
      },
    ]);
    expect(status.listeners).toEqual([{ name: "lis", address: `[::]:${port}` }]);

    const text = await (await fetch(`${registration.status}/metrics`)).text();
    const count = (method: string): number =>
      Number(
        new RegExp(
          `^weaver_method_count\\{caller="weaver/Main",component="[^"]+",method="${method}",remote="false",weaver_app="reverser",weaver_deployment="${deployment}",weaver_replica="[^"]+"\\} (\\d+)$`,
          "m",
        ).exec(text)?.[1],
      );
    expect(count("reverse")).toBe(10);
    expect(count("toUpper")).toBe(7);
    expect(text).toMatch(/^weaver_http_request_count\{host="127\.0\.0\.1:\d+",label="reverser",.*\} 10$/m);

    const stats = (await (await fetch(`${registration.status}/stats`)).json()) as DeploymentStats;
    expect(stats.methods.map((m) => [m.component, m.method, m.total.count, m.minute.count])).toEqual([
      ["reverser/Converter", "toUpper", 7, 7],
      ["reverser/Reverser", "reverse", 10, 10],
    ]);
    expect(stats.calls).toEqual(expect.arrayContaining([{ caller: "weaver/Main", callee: "reverser/Reverser", count: 10 }]));

    // The first request was traced: an HTTP span and an internal span for each local call.
    const traces = (await (await fetch(`${registration.status}/traces`)).json()) as TraceSummary[];
    const first = traces.find((t) => t.spans === 3)!;
    expect(first).toMatchObject({ name: "reverser", processes: 1, status: "ok" });
    const spans = (await (await fetch(`${registration.status}/trace?id=${first.traceId}`)).json()) as SpanRecord[];
    expect(spans.map((s) => [s.name, s.kind])).toEqual([
      ["reverser", "server"],
      ["reverser.Reverser.reverse", "internal"],
      ["reverser.Converter.toUpper", "internal"],
    ]);
    expect(spans[1]!.parentSpanId).toBe(spans[0]!.spanId);
    expect(spans[2]!.parentSpanId).toBe(spans[0]!.spanId);

    // weaver single status and weaver single metrics read the same server.
    const env = { XDG_DATA_HOME: data };
    const tables = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "single", "status"], { env });
    expect(tables.code).toBe(0);
    expect(tables.stdout).toMatch(new RegExp(`│ reverser +│ ${deployment!.slice(0, 8)} +│ weaver\\.Main +│ ${app.child.pid} +│`));
    expect(tables.stdout).toMatch(new RegExp(`│ lis +│ \\[::\\]:${port} +│`));
    const metrics = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "single", "metrics", "^weaver_method_count$"], { env });
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toContain("weaver_method_count: COUNTER");
    expect(metrics.stdout).toMatch(
      /│ weaver\.Main +│ reverser\.Reverser +│ reverse +│ false +│ reverser +│ [0-9a-f]{8} +│ [0-9a-f]{8} +│ 10 +│/,
    );

    await app.stop("SIGTERM");
    expect(existsSync(registry) ? readdirSync(registry) : []).toEqual([]);
    const none = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "single", "status"], { env });
    expect(none.stderr).toBe("No single deployment is running; start one with `weaver single deploy weaver.toml`.\n");
    // The traces stay on disk, for tools that read them after the app stopped.
    expect(readFileSync(join(data, "weaver", "single", "traces", `${deployment}.jsonl`), "utf8")).toContain(first.traceId);
  });
});
