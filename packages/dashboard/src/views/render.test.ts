// The renderers the pages and their live updates share: graph, waterfall, config, routing, hashes,
// and how they show numbers, names and colours.
import { readFileSync } from "node:fs";
import type { DeploymentStatus, ReplicaMetrics, SpanRecord } from "@weaver/runtime";
import { describe, expect, it } from "vitest";
import { componentName, formatMicros, formatMs } from "../format.js";
import { card, cardHash } from "../html.js";
import { isZero, MetricHistory, metricTotals } from "../metric-totals.js";
import { renderMethodsTable } from "./methods-table.js";
import { metricsView, type MetricsData } from "./metrics-view.js";
import { sparkline } from "./sparkline.js";
import type { ViewContext } from "./view.js";
import { renderConfig } from "./config-card.js";
import { hasRouting, renderRouting } from "./routing-card.js";
import { hasVersions, renderVersions } from "./versions-card.js";
import { renderWaterfall } from "./trace-view.js";
import { renderTrafficGraph } from "./traffic-graph.js";

const status = (components: string[], callGraph: [string, string][] = []): DeploymentStatus => ({
  app: "a",
  deployment: "d",
  started: 0,
  pid: 1,
  configFile: "",
  config: {},
  groups: components.map((c) => ({
    name: c,
    components: [c],
    replicas: [{ id: `r-${c}`, pid: 2, state: "ready", started: 0, restarts: 0 }],
  })),
  components: components.map((c) => ({ name: c, short: c.replace("/", "."), group: c })),
  listeners: [],
  callGraph,
});
const stats = (calls: { caller: string; callee: string; count: number }[]) => ({ started: 0, updated: 0, methods: [], calls });

describe("renderTrafficGraph", () => {
  it("draws a node per component and an edge per caller -> callee, as wide as its share of the calls", () => {
    const svg = renderTrafficGraph(
      status(["weaver/Main", "x/A", "x/B"]),
      stats([
        { caller: "weaver/Main", callee: "x/A", count: 3 },
        { caller: "weaver/Main", callee: "x/B", count: 1 },
      ]),
    );
    expect(svg.match(/<g class="node/g)).toHaveLength(3);
    expect(svg).toMatch(
      /data-edge="weaver\/Main-&gt;x\/A" data-count="3"><title>weaver.Main → x.A: 3 calls \(75% of all\)<\/title><path d="M[^"]+" stroke-width="6.00"/,
    );
    expect(svg).toMatch(/data-edge="weaver\/Main-&gt;x\/B" data-count="1">.*stroke-width="3.00"/);
    expect(svg).not.toContain("No calls between components yet");
  });

  it("dashes the refs that carried no call and says the counts come with requests", () => {
    const svg = renderTrafficGraph(status(["weaver/Main", "x/A"], [["weaver/Main", "x/A"]]), stats([]));
    expect(svg).toContain(`<g class="edge idle" data-edge="weaver/Main-&gt;x/A" data-count="0">`);
    expect(svg).toContain("No calls between components yet");
  });

  it("escapes component names", () => {
    expect(renderTrafficGraph(status(["<script>/x"]), null)).not.toContain("<script>");
  });
});

describe("renderWaterfall", () => {
  const span = (spanId: string, parent: string, start: number, end: number, replica = "r1"): SpanRecord =>
    ({
      traceId: "t",
      spanId,
      parentSpanId: parent,
      name: spanId,
      kind: "internal",
      start,
      end,
      status: spanId === "c" ? "error" : "ok",
      statusMessage: spanId === "c" ? "boom" : undefined,
      attributes: { k: 1 },
      events: [],
      resource: { app: "a", deployment: "d", replica, pid: 9 },
    }) as SpanRecord;

  it("orders spans depth first under their parents, placing each bar on the trace's time line", () => {
    // a [0, 100] has children b [10, 30] and c [40, 90]; d [15, 20] is b's child; e's parent is missing.
    const html = renderWaterfall(
      [span("c", "a", 40, 90, "r2"), span("a", "", 0, 100), span("d", "b", 15, 20), span("b", "a", 10, 30), span("e", "zz", 50, 60)],
      status([]),
    );
    expect([...html.matchAll(/data-span="(\w)"/g)].map((m) => m[1])).toEqual(["a", "b", "d", "c", "e"]);
    expect([...html.matchAll(/class="span depth-(\d+)/g)].map((m) => m[1])).toEqual(["0", "1", "2", "1", "0"]);
    expect(html).toMatch(/data-span="c">.*class="proc-1" x="400.0" y="1" width="500.0"/);
    expect(html).toContain(`class="span depth-1 failed"`);
    expect(html).toContain("<code>error: boom</code>");
    expect(html).toContain("5 spans in 2 processes");
  });
});

describe("the Config card", () => {
  it("redacts plain values of secret-looking keys, keeping references and everything else", () => {
    const all = renderConfig({ s: { password: "x1", api_key: "y1", token: "${env:T}", name: "n", list: ["a"] } }, "");
    expect(all).toContain("password = &quot;&lt;redacted&gt;&quot;\napi_key = &quot;&lt;redacted&gt;&quot;\ntoken = &quot;${env:T}&quot;");
    expect(all).toContain("name = &quot;n&quot;\nlist = [ &quot;a&quot; ]");
    expect(all).not.toMatch(/x1|y1/);
    const html = renderConfig({ "shop/Store": { password: "hunter2" } }, "/app/weaver.toml");
    expect(html).toContain("[&quot;shop/Store&quot;]\npassword = &quot;&lt;redacted&gt;&quot;");
    expect(html).toContain("From /app/weaver.toml.");
  });
});

describe("the Routing card", () => {
  it("shows, per routed component, each member's health, its share of the keys and the share it serves now", () => {
    const s: DeploymentStatus = {
      ...status(["weaver/Main", "shop/Cart"]),
      routing: [
        {
          component: "shop/Cart",
          version: 1,
          slots: 4096,
          members: [
            { member: "shop.Cart/0", replica: "aaaaaaaa-1", up: true, owned: 1400, serving: 2048 },
            { member: "shop.Cart/1", replica: "bbbbbbbb-2", up: false, owned: 1300, serving: 0 },
            { member: "shop.Cart/2", replica: "cccccccc-3", up: true, owned: 1396, serving: 2048 },
          ],
        },
      ],
    };
    expect(hasRouting(s)).toBe(true);
    expect(hasRouting(status(["weaver/Main"]))).toBe(false);
    const html = renderRouting(s);
    expect(html).toContain(`<h3 title="shop/Cart">shop.Cart</h3>`);
    expect(html).toContain("3 members, 2 up; 4096 key slots, assignment version 1");
    expect(html).toContain(
      `<tr><td><code>shop.Cart/1</code></td><td><code>bbbbbbbb</code></td><td><span class="badge bad">down</span></td><td class="num">31.7%</td><td class="num">0.0%</td>`,
    );
    expect(html).toMatch(
      /<code>shop\.Cart\/0<\/code>.*<td class="num">34\.2%<\/td><td class="num">50\.0%<\/td><td><svg class="bar share"[^>]*><rect x="0" y="1" width="500\.0"/,
    );
  });
});

describe("the Versions card", () => {
  it("shows each version's share of a listener and the rollout, with the reason of a rollback", () => {
    const base = status(["weaver/Main"]);
    const other = "ffffffff-0000-0000-0000-000000000000";
    const s: DeploymentStatus = {
      ...base,
      traffic: [
        { host: "127.0.0.1:8080", listener: "web", deployment: base.deployment, fraction: 0.75 },
        { host: "127.0.0.1:8080", listener: "web", deployment: other, fraction: 0.25 },
      ],
      rollout: {
        from: base.deployment,
        to: other,
        state: "rolling",
        steps: [
          { at: 1, fraction: 0.1, planned: false },
          { at: 2, fraction: 0.25, planned: false },
          { at: 3, fraction: 0.5, planned: true },
        ],
      },
    };
    expect(hasVersions(s)).toBe(true);
    expect(hasVersions(base)).toBe(false);
    const html = renderVersions(s);
    expect(html).toContain(`<td><code>ffffffff</code></td><td class="num">25%</td>`);
    expect(html).toContain(`(this one)</td><td class="num">75%</td>`);
    expect(html).toContain("25% on the new version, step 2 of 3");
    const back = renderVersions({ ...s, rollout: { ...s.rollout!, state: "rolled back", reason: "rolled back at 25%: <crash>" } });
    expect(back).toContain(`<span class="badge bad">rolled back</span>`);
    expect(back).toContain("rolled back at 25%: &lt;crash&gt;");
  });
});

describe("card hashes", () => {
  it("leave ages out, so a card whose only change is time passing is not sent again", () => {
    const at = (text: string) => `<p><time data-since="5" datetime="x">${text}</time></p>`;
    expect(cardHash(at("3s"))).toBe(cardHash(at("4s")));
    expect(cardHash(at("3s"))).not.toBe(cardHash("<p>other</p>"));
    expect(card("x", "X", at("3s"))).toContain(`data-hash="${cardHash(at("9s"))}"`);
  });
});

describe("latencies", () => {
  it("read with three significant digits and the unit that keeps them between 1 and 1000", () => {
    expect([0.845, 1.2345, 12.44, 999.6, 0.0005, 12_400, 2_000_000].map(formatMs)).toEqual([
      "845 µs",
      "1.23 ms",
      "12.4 ms",
      "1.00 s",
      "500 ns",
      "12.4 s",
      "2000 s",
    ]);
    expect(formatMicros(999.96)).toBe("1.00 ms");
    expect(formatMicros(0)).toBe("0 ms");
  });

  it("are rounded in the Methods card, whose components carry their short names", () => {
    const w = (count: number, latencyMs: number) => ({ count, errors: 0, latencyMs, requestKBps: 0, replyKBps: 0 });
    const html = renderMethodsTable({
      started: 0,
      updated: 0,
      calls: [],
      methods: [{ component: "shop/Cart", method: "add", minute: w(0, 0), hour: w(2, 1.23456), total: w(9, 0.8449) }],
    });
    expect(html).toContain(`<td><code title="shop/Cart">shop.Cart</code></td><td><code>add</code></td>`);
    expect(html).toContain(`<td class="num">-</td><td class="num">1.23 ms</td><td class="num">845 µs</td>`);
  });
});

describe("component names", () => {
  it("are shown short everywhere, with the full name as the tooltip", () => {
    expect(componentName("github.com/x/shop/Cart").html).toBe(`<code title="github.com/x/shop/Cart">shop.Cart</code>`);
    const svg = renderTrafficGraph(status(["weaver/Main", "shop/Cart"]), null);
    expect(svg).toContain(`<title>shop/Cart</title>`);
    expect(svg).toMatch(/>shop\.Cart<\/text>/);
    expect(svg).not.toMatch(/>shop\/Cart<\/text>/);
  });
});

describe("colours", () => {
  /** The hue (0-360) and saturation (0-1) of a #rrggbb colour. */
  const hsl = (hex: string): { h: number; s: number } => {
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const d = max - min;
    const l = (max + min) / 2;
    const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
    const h = d === 0 ? 0 : max === r ? (60 * ((g - b) / d) + 360) % 360 : max === g ? 60 * ((b - r) / d + 2) : 60 * ((r - g) / d + 4);
    return { h, s };
  };

  it("of components and processes come from a palette without red, orange-red or pink: red means an error", () => {
    const css = readFileSync(new URL("../../assets/dashboard.css", import.meta.url), "utf8");
    const fills = [...css.matchAll(/\.(?:c\d|proc-\d)(?: rect)? \{\s*fill: ([^;]+);/g)].map((m) => m[1]!);
    expect(fills).toHaveLength(20);
    for (const fill of fills) {
      expect(fill, "a literal colour, not var(--bad)").toMatch(/^#[0-9a-f]{6}$/);
      const { h, s } = hsl(fill);
      const redLike = s > 0.2 && (h < 30 || h >= 330);
      expect(redLike, `${fill} (hue ${Math.round(h)})`).toBe(false);
    }
    expect(css).toMatch(/svg\.spark polyline \{[^}]*stroke: var\(--link\)/);
  });
});

describe("metric totals", () => {
  const replica = (id: string, orders: number, latency: [sum: number, counts: number[]]): ReplicaMetrics => ({
    app: "shop",
    deployment: "d",
    replica: id,
    metrics: [
      { name: "orders_total", help: "", type: "counter", labels: ["kind"], series: [{ labels: ["web"], value: orders }] },
      { name: "idle_total", help: "", type: "counter", labels: [], series: [{ labels: [], value: 0 }] },
      {
        name: "latency",
        help: "",
        type: "histogram",
        labels: [],
        bounds: [1],
        series: [{ labels: [], value: latency[0], counts: latency[1] }],
      },
    ],
  });

  it("sum each label set over replicas, keeping each replica's value; histograms add sums and counts", () => {
    const totals = metricTotals([replica("r1", 3, [10, [1, 1]]), replica("r2", 4, [0, [0, 0]])]);
    expect(totals.map((m) => m.name)).toEqual(["idle_total", "latency", "orders_total"]);
    const orders = totals.find((m) => m.name === "orders_total")!;
    expect(orders.rows).toHaveLength(1);
    expect(orders.rows[0]).toMatchObject({
      labels: ["web"],
      value: 7,
      replicas: [
        { replica: "r1", value: 3 },
        { replica: "r2", value: 4 },
      ],
    });
    expect(totals.find((m) => m.name === "latency")!.rows[0]).toMatchObject({ value: 10, count: 2 });
    expect(totals.map((m) => m.rows.every(isZero))).toEqual([true, false, false]);
  });

  it("keep a short history per row, charted as a line over the last minutes", () => {
    const history = new MetricHistory();
    const t0 = 1_000_000;
    history.record("d", metricTotals([replica("r1", 1, [0, [0]])]), t0);
    history.record("d", metricTotals([replica("r1", 9, [0, [0]])]), t0 + 100); // too close: one sample
    history.record("d", metricTotals([replica("r1", 5, [0, [0]])]), t0 + 60_000);
    const key = metricTotals([replica("r1", 0, [0, [0]])]).find((m) => m.name === "orders_total")!.rows[0]!.key;
    expect(history.samples("d", key)).toEqual([
      { at: t0, value: 1 },
      { at: t0 + 60_000, value: 5 },
    ]);
    const svg = sparkline(history.samples("d", key), t0 + 60_000, "orders <total>");
    expect(svg).toContain(`<title>orders &lt;total&gt;</title><polyline points="96.0,20.0 120.0,2.0"/>`);
    // Older than the window: gone.
    history.record("d", metricTotals([replica("r1", 5, [0, [0]])]), t0 + 6 * 60_000);
    expect(history.samples("d", key)).toHaveLength(2);
  });
});

describe("the Metrics card", () => {
  const counter = (name: string, labels: string[], series: { labels: string[]; value: number }[]) =>
    ({ name, help: name, type: "counter", labels, series }) as const;
  const replica = (id: string, orders: number): ReplicaMetrics => ({
    app: "shop",
    deployment: "d",
    replica: id,
    metrics: [
      counter("orders_total", [], [{ labels: [], value: orders }]),
      counter("refunds_total", [], [{ labels: [], value: 0 }]),
      counter(
        "weaver_method_count",
        ["component", "method"],
        [
          { labels: ["shop/Store", "buy"], value: orders },
          { labels: ["shop/Store", "refund"], value: 0 },
        ],
      ),
    ],
  });
  const render = (zeros: boolean): string => {
    const data = {
      deployment: { status: { deployment: "d" } },
      replicas: [replica("aaaaaaaa-1", 3), replica("cccccccc-3", 4)],
      filter: "",
      zeros,
      now: 0,
    };
    const ctx = { data: { history: new MetricHistory() }, params: new URLSearchParams() } as unknown as ViewContext;
    return metricsView.cards(data as unknown as MetricsData, ctx)["metrics"]!;
  };

  it("shows totals over replicas first, each replica on demand, and marks and counts the all-zero rows", () => {
    const html = render(false);
    const orders = html.match(/<section class="metric" data-metric="orders_total">[\s\S]*?<\/section>/)![0];
    expect(orders).toMatch(
      /<tr><td class="num">7<\/td><td>.*<\/td><td><details class="replicas" data-key="[^"]*"><summary>2 replicas<\/summary>/,
    );
    expect(orders).toContain(
      `<tr><td><code>aaaaaaaa</code></td><td class="num">3</td></tr><tr><td><code>cccccccc</code></td><td class="num">4</td></tr>`,
    );
    // The stylesheet hides .zero unless the toggle (outside the card) says show-zeros.
    expect(html).toContain(`<section class="metric zero" data-metric="refunds_total">`);
    expect(html).toMatch(/<tr class="zero"><td><code title="shop\/Store">shop\.Store<\/code><\/td><td>refund<\/td><td class="num">0<\/td>/);
    expect(html).toContain(`data-zero-rows="2">2 all-zero rows hidden`);
  });
});
