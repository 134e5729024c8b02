import { describe, expect, it } from "vitest";
import type { MetricSnapshot } from "./metrics.js";
import type { ReplicaMetrics } from "./prometheus.js";
import type { DeploymentStats, WindowStats } from "./deployment-stats.js";
import { FORGET_REPLICA_MS, StatsProcessor } from "./stats-processor.js";

/** What one replica has counted for one caller and method, cumulatively. */
interface Calls {
  readonly caller?: string;
  readonly component?: string;
  readonly method?: string;
  readonly count: number;
  readonly errors?: number;
  /** Timed calls and the sum of their latencies in microseconds. */
  readonly timed?: readonly [number, number];
  readonly requestBytes?: number;
  readonly replyBytes?: number;
}

const LABELS = ["caller", "component", "method", "remote"];
/** A start on a minute boundary, so that buckets line up with the test's times. */
const T0 = 1_700_000_040_000;

/** A replica's snapshot of the method metrics, as replicas answer METRICS_METHOD. */
function replica(id: string, calls: readonly Calls[]): ReplicaMetrics {
  const labels = (c: Calls): string[] => [c.caller ?? "weaver/Main", c.component ?? "app/Store", c.method ?? "get", "true"];
  const counter = (name: string, value: (c: Calls) => number): MetricSnapshot => ({
    name,
    help: "",
    type: "counter",
    labels: LABELS,
    series: calls.map((c) => ({ labels: labels(c), value: value(c) })),
  });
  const histogram = (name: string, value: (c: Calls) => readonly [number, number]): MetricSnapshot => ({
    name,
    help: "",
    type: "histogram",
    labels: LABELS,
    bounds: [1000],
    series: calls.map((c) => ({ labels: labels(c), value: value(c)[1], counts: [value(c)[0], 0] })),
  });
  return {
    app: "app",
    deployment: "d",
    replica: id,
    metrics: [
      counter("weaver_method_count", (c) => c.count),
      counter("weaver_method_error_count", (c) => c.errors ?? 0),
      histogram("weaver_method_latency_micros", (c) => c.timed ?? [0, 0]),
      histogram("weaver_method_bytes_request", (c) => [c.count, c.requestBytes ?? 0]),
      histogram("weaver_method_bytes_reply", (c) => [c.count, c.replyBytes ?? 0]),
      {
        name: "orders",
        help: "an app metric",
        type: "counter",
        labels: ["component", "method"],
        series: [{ labels: ["x", "y"], value: 99 }],
      },
    ],
  };
}

function method(stats: DeploymentStats, component = "app/Store", name = "get") {
  return stats.methods.find((m) => m.component === component && m.method === name)!;
}

describe("StatsProcessor", () => {
  it("sums the replicas' counts, errors, latency and bytes, and computes rates over the time up", () => {
    const p = new StatsProcessor(T0);
    p.record(T0 + 10_000, [
      replica("r1", [{ count: 10, errors: 1, timed: [10, 50_000], requestBytes: 10_240, replyBytes: 20_480 }]),
      replica("r2", [{ count: 5, timed: [5, 10_000], requestBytes: 0, replyBytes: 0 }]),
    ]);
    const s = p.report(T0 + 10_000);
    expect(s.started).toBe(T0);
    expect(s.updated).toBe(T0 + 10_000);
    const expected: WindowStats = { count: 15, errors: 1, latencyMs: 4, requestKBps: 1, replyKBps: 2 };
    expect(method(s).total).toEqual(expected);
    // Younger than a minute: every window is the whole life of the deployment.
    expect(method(s).minute).toEqual(expected);
    expect(method(s).hour).toEqual(expected);
    // App metrics that happen to have component and method labels are not method metrics.
    expect(s.methods.map((m) => `${m.component}.${m.method}`)).toEqual(["app/Store.get"]);
  });

  it("counts increases between snapshots, and windows forget what is older than a minute or an hour", () => {
    const p = new StatsProcessor(T0);
    p.record(T0 + 5_000, [replica("r1", [{ count: 100 }])]);
    p.record(T0 + 10 * 60_000, [replica("r1", [{ count: 160 }])]);
    let s = p.report(T0 + 10 * 60_000);
    expect(method(s).total.count).toBe(160);
    expect(method(s).hour.count).toBe(160);
    expect(method(s).minute.count).toBe(60);
    s = p.report(T0 + 11 * 60_000 + 1);
    expect(method(s).minute.count).toBe(0);
    expect(method(s).hour.count).toBe(160);
    p.record(T0 + 69 * 60_000, [replica("r1", [{ count: 161 }])]);
    s = p.report(T0 + 69 * 60_000);
    expect(method(s).total.count).toBe(161);
    expect(method(s).hour.count).toBe(61);
    expect(method(s).minute.count).toBe(1);
    // The increase seen at minute 10 happened before it: an hour later it has left the hour.
    s = p.report(T0 + 70 * 60_000 + 1);
    expect(method(s).hour.count).toBe(1);
    // Rates divide by the window's length once the deployment is older than the window.
    p.record(T0 + 70 * 60_000 + 5_000, [replica("r1", [{ count: 161, requestBytes: 60 * 1024 }])]);
    s = p.report(T0 + 70 * 60_000 + 5_000);
    expect(method(s).minute.requestKBps).toBe(1);
    expect(method(s).hour.requestKBps).toBeCloseTo(1 / 60);
    expect(method(s).total.requestKBps).toBeCloseTo(60 / (70 * 60 + 5));
  });

  it("counts the new value of a counter that went down: the replica's process started again", () => {
    const p = new StatsProcessor(T0);
    p.record(T0 + 5_000, [replica("r1", [{ count: 40, timed: [40, 40_000] }])]);
    p.record(T0 + 10_000, [replica("r1", [{ count: 7, timed: [7, 70_000] }])]);
    const total = method(p.report(T0 + 10_000)).total;
    expect(total.count).toBe(47);
    expect(total.latencyMs).toBeCloseTo(110 / 47);
  });

  it("keeps what replicas that went away contributed, and counts new replicas from zero", () => {
    const p = new StatsProcessor(T0);
    p.record(T0 + 5_000, [replica("r1", [{ count: 30 }]), replica("r2", [{ count: 20 }])]);
    p.record(T0 + 10_000, [replica("r2", [{ count: 25 }]), replica("r3", [{ count: 4 }])]);
    expect(method(p.report(T0 + 10_000)).total.count).toBe(59);
    // A replica that skipped a pull is not counted twice when it answers again.
    p.record(T0 + 15_000, [replica("r1", [{ count: 31 }]), replica("r2", [{ count: 25 }]), replica("r3", [{ count: 4 }])]);
    expect(method(p.report(T0 + 15_000)).total.count).toBe(60);
  });

  it("forgets replicas silent for FORGET_REPLICA_MS, but not their contribution", () => {
    const p = new StatsProcessor(T0);
    p.record(T0, [replica("r1", [{ count: 3 }])]);
    p.record(T0 + FORGET_REPLICA_MS, []);
    p.record(T0 + FORGET_REPLICA_MS + 1, [replica("r1", [{ count: 3 }])]);
    expect(method(p.report(T0 + FORGET_REPLICA_MS + 1)).total.count).toBe(6);
  });

  it("builds the call graph from the method counts, without calls from outside any component", () => {
    const p = new StatsProcessor(T0);
    const calls: Calls[] = [
      { caller: "weaver/Main", component: "app/Store", method: "get", count: 30 },
      { caller: "weaver/Main", component: "app/Store", method: "put", count: 5 },
      { caller: "app/Cart", component: "app/Store", method: "get", count: 2 },
      { caller: "weaver/Main", component: "app/Cart", method: "add", count: 1 },
      { caller: "", component: "app/Store", method: "get", count: 100 },
    ];
    p.record(T0 + 5_000, [replica("r1", calls), replica("r2", calls.slice(0, 1))]);
    const s = p.report(T0 + 5_000);
    expect(s.calls).toEqual([
      { caller: "weaver/Main", callee: "app/Cart", count: 1 },
      { caller: "weaver/Main", callee: "app/Store", count: 65 },
      { caller: "app/Cart", callee: "app/Store", count: 2 },
    ]);
    expect(s.methods.map((m) => [m.component, m.method, m.total.count])).toEqual([
      ["app/Cart", "add", 1],
      ["app/Store", "get", 162],
      ["app/Store", "put", 5],
    ]);
  });

  it("keeps the last hour at the granularity of a minute, and the last minute at that of 5 s", () => {
    const p = new StatsProcessor(T0);
    // One call every second, pulled every 5 s, for 5 hours.
    for (let t = 5_000; t <= 5 * 60 * 60_000; t += 5_000) p.record(T0 + t, [replica("r1", [{ count: t / 1000 }])]);
    const s = p.report(T0 + 5 * 60 * 60_000);
    expect(method(s).total.count).toBe(5 * 60 * 60);
    // The bucket of the current minute and the 59 before it.
    expect(method(s).hour.count).toBe(59 * 60 + 5);
    expect(method(s).minute.count).toBe(60);
  });
});
