import { describe, expect, it } from "vitest";
import type { MetricSnapshot } from "../metrics/metrics.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";
import { formatMetricsTables } from "./metrics-tables.js";

const ID = "bd689290-4929-47f1-a0f0-774d5e1a9307";
const LABELS = ["caller", "component", "method", "remote"];

const calls = (value: number): MetricSnapshot => ({
  name: "weaver_method_count",
  help: "Calls of a component method",
  type: "counter",
  labels: LABELS,
  series: [{ labels: ["weaver/Main", "reverser/Reverser", "reverse", "true"], value }],
});
const latency: MetricSnapshot = {
  name: "weaver_method_latency_micros",
  help: "Latency",
  type: "histogram",
  labels: LABELS,
  bounds: [100, 1000],
  series: [{ labels: ["weaver/Main", "reverser/Reverser", "reverse", "true"], value: 1000, counts: [1, 2, 0] }],
};
const orders: MetricSnapshot = { name: "orders", help: "Orders placed", type: "counter", labels: [], series: [{ labels: [], value: 2.5 }] };
const unused: MetricSnapshot = { name: "refunds", help: "Refunds", type: "counter", labels: ["shop"], series: [] };

const replica = (id: string, metrics: MetricSnapshot[]): ReplicaMetrics => ({ app: "reverser", deployment: ID, replica: id, metrics });

describe("formatMetricsTables", () => {
  const replicas = [replica("c03c4eed-0000", [calls(17), latency, unused]), replica("ac04576d-0000", [calls(13), orders])];

  it("prints app metrics first, one table per metric with a row per replica, short names and ids", () => {
    expect(formatMetricsTables(replicas)).toBe(
      [
        "╭──────────────────────────────────────────╮",
        "│ // Orders placed                         │",
        "│ orders: COUNTER                          │",
        "├──────────┬────────────┬──────────┬───────┤",
        "│ app      │ deployment │ replica  │ Value │",
        "├──────────┼────────────┼──────────┼───────┤",
        "│ reverser │ bd689290   │ ac04576d │ 2.5   │",
        "╰──────────┴────────────┴──────────┴───────╯",
        "╭───────────────────────────────────────────────────────────────────────────────────────────────╮",
        "│ // Calls of a component method                                                                │",
        "│ weaver_method_count: COUNTER                                                                  │",
        "├─────────────┬───────────────────┬─────────┬────────┬──────────┬────────────┬──────────┬───────┤",
        "│ caller      │ component         │ method  │ remote │ app      │ deployment │ replica  │ Value │",
        "├─────────────┼───────────────────┼─────────┼────────┼──────────┼────────────┼──────────┼───────┤",
        "│ weaver.Main │ reverser.Reverser │ reverse │ true   │ reverser │ bd689290   │ ac04576d │ 13    │",
        "│ weaver.Main │ reverser.Reverser │ reverse │ true   │ reverser │ bd689290   │ c03c4eed │ 17    │",
        "╰─────────────┴───────────────────┴─────────┴────────┴──────────┴────────────┴──────────┴───────╯",
        "╭─────────────────────────────────────────────────────────────────────────────────────────────────────────╮",
        "│ // Latency                                                                                              │",
        "│ weaver_method_latency_micros: HISTOGRAM                                                                 │",
        "├─────────────┬───────────────────┬─────────┬────────┬──────────┬────────────┬──────────┬─────────┬───────┤",
        "│ caller      │ component         │ method  │ remote │ app      │ deployment │ replica  │ Average │ Count │",
        "├─────────────┼───────────────────┼─────────┼────────┼──────────┼────────────┼──────────┼─────────┼───────┤",
        "│ weaver.Main │ reverser.Reverser │ reverse │ true   │ reverser │ bd689290   │ c03c4eed │ 333.333 │ 3     │",
        "╰─────────────┴───────────────────┴─────────┴────────┴──────────┴────────────┴──────────┴─────────┴───────╯",
        "",
      ].join("\n"),
    );
  });

  it("prints only the metrics whose names match, and nothing for none", () => {
    const out = formatMetricsTables(replicas, (name) => /count/.test(name));
    expect(out).toContain("weaver_method_count: COUNTER");
    expect(out).not.toContain("orders");
    expect(out).not.toContain("latency");
    expect(formatMetricsTables(replicas, () => false)).toBe("");
  });
});
