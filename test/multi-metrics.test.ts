// Metrics of a real multi deployment: a known load through the listener, then the status
// server's Prometheus text, its /stats, and `weaver multi metrics` must all count it exactly.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentStats, Registration } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { registration as registered, settled } from "./support/deployments.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-multi-metrics-"));
const env = { XDG_DATA_HOME: data };
const registration = (deployment: string): Promise<Registration> => registered(data, deployment);
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

const BIN = "packages/cli/bin/weaver.js";

/** One sample of Prometheus text. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Parses Prometheus text exposition (format 0.0.4), failing on any line that is not a comment, a
 * blank or `name{labels} value` with a valid float, and on a sample whose family has no HELP and
 * TYPE before it.
 */
function parsePrometheus(text: string): Sample[] {
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === "HELP") help.add(meta[2]!);
      else types.set(meta[2]!, meta[3]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const [, name, body, raw] = m as unknown as [string, string, string | undefined, string];
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : raw === "NaN" ? NaN : Number(raw);
    if (!/^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/.test(raw)) throw new Error(`not a float: ${line}`);
    const labels: Record<string, string> = {};
    const rest = (body ?? "").replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g, (_, k: string, v: string) => {
      labels[k] = v.replace(/\\(.)/g, (__, c: string) => (c === "n" ? "\n" : c));
      return "";
    });
    if (rest !== "") throw new Error(`bad labels in: ${line}`);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    if (!help.has(family) || !types.has(family)) throw new Error(`no HELP or TYPE before: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

describe("metrics of a multi deployment", () => {
  it("counts a known load exactly in /metrics, /stats and weaver multi metrics", async () => {
    const file = join(data, "weaver.toml");
    writeFileSync(
      file,
      `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
    );
    const app = new TestProcess(process.execPath, [BIN, "multi", "deploy", file], { env });
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const { status } = await registration(deployment!);
    const s = await settled(status);
    const listener = s.listeners.find((l) => l.name === "lis")!.address;

    const send = async (path: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) expect((await fetch(`http://${listener}${path}?name=abc${i}`)).status).toBe(200);
    };
    await Promise.all([send("/reverse", 15), send("/reverse", 15), send("/convert", 10), send("/convert", 10)]);

    // Prometheus text: well formed, and the calls from Main counted once, summed over replicas.
    const res = await fetch(`${status}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(`#     - targets: ['${new URL(status).host}']\n`);
    const samples = parsePrometheus(text);
    const total = (name: string, component: string, method: string, extra: Record<string, string> = {}): number =>
      samples
        .filter(
          (x) =>
            x.name === name &&
            x.labels["caller"] === "weaver/Main" &&
            x.labels["component"] === component &&
            x.labels["method"] === method &&
            x.labels["remote"] === "true",
        )
        .filter((x) => Object.entries(extra).every(([k, v]) => x.labels[k] === v))
        .reduce((sum, x) => sum + x.value, 0);
    const calls = (component: string, method: string): number => total("weaver_method_count", component, method);
    expect(calls("reverser/Reverser", "reverse")).toBe(30);
    expect(calls("reverser/Converter", "toUpper")).toBe(20);
    // Remote calls are all timed and sized: the histograms add up to the same counts.
    for (const [component, method, n] of [
      ["reverser/Reverser", "reverse", 30],
      ["reverser/Converter", "toUpper", 20],
    ] as const) {
      expect(total("weaver_method_latency_micros_count", component, method)).toBe(n);
      expect(total("weaver_method_latency_micros_bucket", component, method, { le: "+Inf" })).toBe(n);
      expect(total("weaver_method_bytes_request_count", component, method)).toBe(n);
      expect(total("weaver_method_bytes_reply_count", component, method)).toBe(n);
      expect(total("weaver_method_bytes_request_sum", component, method)).toBeGreaterThan(n);
      expect(total("weaver_method_error_count", component, method)).toBe(0);
    }
    // The example's handler is instrumented: every request is counted, across both Main replicas.
    expect(
      samples
        .filter((x) => x.name === "weaver_http_request_count" && x.labels["label"] === "reverser")
        .reduce((sum, x) => sum + x.value, 0),
    ).toBe(50);

    // The same snapshots as JSON.
    const json = (await (await fetch(`${status}/metrics.json`)).json()) as { replica: string }[];
    expect(json.length).toBe(6);

    // weaver multi metrics: the rows of the weaver_method_count table add up to the same counts.
    const cli = await runToEnd(process.execPath, [BIN, "multi", "metrics", "^weaver_method_count$"], { env });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("│ // Calls of a component method");
    expect(cli.stdout).toContain("│ weaver_method_count: COUNTER");
    expect(cli.stdout).not.toContain("weaver_method_error_count");
    const rows = (prefix: string): number =>
      cli.stdout
        .split("\n")
        .filter((l) => l.startsWith(prefix))
        .reduce((sum, l) => sum + Number(l.split("│").at(-2)!.trim()), 0);
    expect(rows(`│ weaver.Main │ reverser.Reverser  │ reverse │ true   │`)).toBe(30);
    expect(rows(`│ weaver.Main │ reverser.Converter │ toUpper │ true   │`)).toBe(20);

    // /stats: totals and the traffic graph (statistics are pulled every few seconds).
    let stats: DeploymentStats | undefined;
    const method = (st: DeploymentStats, component: string, name: string) =>
      st.methods.find((m) => m.component === component && m.method === name);
    for (const deadline = Date.now() + 15_000; ; ) {
      stats = (await (await fetch(`${status}/stats`)).json()) as DeploymentStats;
      if (
        (method(stats, "reverser/Reverser", "reverse")?.total.count ?? 0) >= 30 &&
        (method(stats, "reverser/Converter", "toUpper")?.total.count ?? 0) >= 20
      )
        break;
      if (Date.now() > deadline) throw new Error(`stats never counted the load: ${JSON.stringify(stats)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const reverse = method(stats, "reverser/Reverser", "reverse")!;
    expect(reverse.total.count).toBe(30);
    expect(reverse.minute.count).toBe(30);
    expect(reverse.hour.count).toBe(30);
    expect(reverse.total.errors).toBe(0);
    expect(reverse.total.latencyMs).toBeGreaterThan(0);
    expect(reverse.total.requestKBps).toBeGreaterThan(0);
    expect(method(stats, "reverser/Converter", "toUpper")!.total.count).toBe(20);
    expect(stats.calls).toEqual([
      { caller: "weaver/Main", callee: "reverser/Converter", count: 20 },
      { caller: "weaver/Main", callee: "reverser/Reverser", count: 30 },
    ]);

    const { code } = await app.stop("SIGINT");
    expect(code).toBe(0);
  });

  it("weaver multi metrics: help with examples, a bad regex is a usage mistake, no deployment is said so", async () => {
    const help = await runToEnd(process.execPath, [BIN, "help", "multi", "metrics"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: weaver multi metrics [options] [regex]");
    expect(help.stdout).toMatch(/\nExamples:\n {2}# .+\n {2}weaver multi metrics\n/);
    expect((await runToEnd(process.execPath, [BIN, "help", "multi"], { env })).stdout).toMatch(
      /\n {2}metrics \[regex\] +Show the metrics of running Weaver deployments\n/,
    );
    const bad = await runToEnd(process.execPath, [BIN, "multi", "metrics", "weaver_("], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^weaver: "weaver_\(" is not a regular expression: .+\nSee "weaver multi metrics --help" for examples\.\n$/);
    const empty = mkdtempSync(join(tmpdir(), "weaver-multi-metrics-empty-"));
    try {
      const none = await runToEnd(process.execPath, [BIN, "multi", "metrics"], { env: { XDG_DATA_HOME: empty } });
      expect(none.code).toBe(0);
      expect(none.stdout).toBe("");
      expect(none.stderr).toBe("No multi deployment is running; start one with `weaver multi deploy weaver.toml`.\n");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
