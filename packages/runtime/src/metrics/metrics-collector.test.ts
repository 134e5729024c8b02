import { describe, expect, it } from "vitest";
import { MetricsCollector } from "./metrics-collector.js";
import type { ReplicaMetrics } from "./prometheus.js";

/** A replica that has counted `count` calls of app/Store.get from weaver/Main. */
function replica(count: number): ReplicaMetrics {
  return {
    app: "app",
    deployment: "d",
    replica: "r1",
    metrics: [
      {
        name: "weaver_method_count",
        help: "",
        type: "counter",
        labels: ["caller", "component", "method", "remote"],
        series: [{ labels: ["weaver/Main", "app/Store", "get", "true"], value: count }],
      },
    ],
  };
}

describe("MetricsCollector", () => {
  it("runs one collection at a time, refreshes stale statistics and keeps GET /metrics pulls out of them", async () => {
    let now = 10_000;
    let count = 0;
    let pulls = 0;
    let release: () => void = () => {};
    const collector = new MetricsCollector({
      started: 0,
      now: () => now,
      pull: async () => {
        pulls++;
        await new Promise<void>((resolve) => (release = resolve));
        return [replica(count)];
      },
    });
    count = 5;
    const a = collector.collect();
    const b = collector.collect();
    expect(pulls).toBe(1);
    release();
    await Promise.all([a, b]);
    // Fresh (collected less than a second ago): answered without a pull.
    expect((await collector.stats()).methods[0]!.total.count).toBe(5);
    expect(pulls).toBe(1);
    // Stale: pulled again first.
    now += 1_000;
    count = 8;
    const stats = collector.stats();
    await Promise.resolve();
    release();
    expect((await stats).methods[0]!.total.count).toBe(8);
    expect(pulls).toBe(2);
    // A pull for GET /metrics does not reach the statistics.
    count = 100;
    const metrics = collector.metrics();
    await Promise.resolve();
    release();
    expect((await metrics)[0]!.metrics[0]!.series[0]!.value).toBe(100);
    expect((await collector.stats()).methods[0]!.total.count).toBe(8);
  });

  it("counts nothing from a pull that fails", async () => {
    const collector = new MetricsCollector({ started: 0, now: () => 5_000, pull: () => Promise.reject(new Error("down")) });
    await collector.collect();
    expect((await collector.stats()).methods).toEqual([]);
  });
});
