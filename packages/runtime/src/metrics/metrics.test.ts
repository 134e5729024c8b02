import { describe, expect, it } from "vitest";
import {
  Counter,
  CounterMap,
  Gauge,
  GaugeMap,
  Histogram,
  HistogramMap,
  OVERFLOW_LABEL,
  snapshotMetrics,
  type MetricSnapshot,
} from "./metrics.js";

function metric(name: string): MetricSnapshot {
  const m = snapshotMetrics().find((s) => s.name === name);
  if (m === undefined) throw new Error(`no metric ${name}`);
  return m;
}

// Declared at module scope, as apps do.
const requests = new Counter("test_requests", "Requests served");
const inFlight = new Gauge("test_in_flight", "Requests being served");
const sizes = new Histogram("test_sizes", "Sizes", [10, 100, 1000]);
const byRoute = new CounterMap<{ route: string; ok: boolean }>("test_by_route", "Requests by route");
const temps = new GaugeMap<{ room: string }>("test_temps", "Temperature by room");
const latency = new HistogramMap<{ method: string }>("test_latency", "Latency by method", [1, 2]);
const capped = new CounterMap<{ user: string }>("test_capped", "Per user", { maxSeries: 3 });

describe("metrics", () => {
  it("counts, sets and distributes, and snapshots what it holds", () => {
    requests.inc();
    requests.add(4);
    inFlight.set(7);
    inFlight.add(-2);
    for (const v of [5, 10, 11, 1000, 1001]) sizes.put(v);
    expect(requests.value).toBe(5);
    expect(inFlight.value).toBe(5);
    expect(sizes.count).toBe(5);
    expect(sizes.sum).toBe(2027);
    expect(metric("test_requests")).toEqual({
      name: "test_requests",
      help: "Requests served",
      type: "counter",
      labels: [],
      series: [{ labels: [], value: 5 }],
    });
    // v <= bound: 5 and 10 in the first bucket, 11 in the second, 1000 in the third, 1001 beyond.
    expect(metric("test_sizes").series[0]).toEqual({ labels: [], value: 2027, counts: [2, 1, 1, 1] });
    expect(metric("test_sizes").bounds).toEqual([10, 100, 1000]);
  });

  it("keeps one series per label set, with label names sorted, and the same handle for the same labels", () => {
    byRoute.get({ route: "/a", ok: true }).inc();
    byRoute.get({ ok: true, route: "/a" }).add(2);
    byRoute.get({ route: "/b", ok: false }).inc();
    expect(byRoute.get({ route: "/a", ok: true })).toBe(byRoute.get({ ok: true, route: "/a" }));
    temps.get({ room: "kitchen" }).set(21.5);
    latency.get({ method: "get" }).put(1.5);
    const m = metric("test_by_route");
    expect(m.labels).toEqual(["ok", "route"]);
    expect(m.series).toEqual([
      { labels: ["true", "/a"], value: 3 },
      { labels: ["false", "/b"], value: 1 },
    ]);
    expect(metric("test_temps").series).toEqual([{ labels: ["kitchen"], value: 21.5 }]);
    expect(metric("test_latency").series).toEqual([{ labels: ["get"], value: 1.5, counts: [0, 1, 0] }]);
  });

  it("sends label sets beyond the cap to one overflow series and counts them", () => {
    for (let i = 0; i < 10; i++) capped.get({ user: `u${i}` }).inc();
    const m = metric("test_capped");
    expect(m.series.map((s) => [s.labels[0], s.value])).toEqual([
      ["u0", 1],
      ["u1", 1],
      ["u2", 1],
      [OVERFLOW_LABEL, 7],
    ]);
    expect(metric("weaver_metric_overflow_count").series).toEqual([{ labels: ["test_capped"], value: 7 }]);
  });

  it("refuses bad declarations and uses, saying what to fix", () => {
    expect(() => new Counter("test_requests", "again")).toThrow(
      /metric test_requests is declared twice: declare each metric once, at module scope/,
    );
    expect(() => new Counter("1bad", "x")).toThrow(/metric name "1bad" is not valid/);
    expect(() => new Histogram("test_bad_bounds", "x", [1, 1])).toThrow(
      /bounds of histogram test_bad_bounds must be finite and strictly increasing; got \[1, 1\]/,
    );
    expect(() => requests.add(-1)).toThrow(/a counter only grows: cannot add -1; use a Gauge/);
    const loose = new CounterMap<Record<string, string>>("test_loose", "x");
    loose.get({ a: "1" });
    expect(() => loose.get({ b: "1" })).toThrow(/metric test_loose has labels \{a\}, not \{b\}/);
  });

  it("checks label types at compile time", () => {
    // Each line below must fail to type-check (tsc -b checks this file): a missing label, an
    // unknown label, a label of the wrong type.
    // @ts-expect-error route is missing
    expect(() => byRoute.get({ ok: true })).toThrow();
    // @ts-expect-error path is not a label of test_by_route
    expect(() => byRoute.get({ route: "/a", ok: true, path: "/x" })).toThrow();
    // @ts-expect-error ok is a boolean
    byRoute.get({ route: "/a", ok: "yes" });
    // @ts-expect-error labels are flat strings, numbers or booleans
    new CounterMap<{ nested: { a: string } }>("test_nested", "x");
  });
});
