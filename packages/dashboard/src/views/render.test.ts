// The renderers the pages and their live updates share: graph, waterfall, config, routing, hashes.
import type { DeploymentStatus, SpanRecord } from "@weaver/runtime";
import { describe, expect, it } from "vitest";
import { card, cardHash } from "../html.js";
import { renderConfig } from "./config-card.js";
import { hasRouting, renderRouting } from "./routing-card.js";
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
    expect(html).toContain("<h3>shop.Cart</h3>");
    expect(html).toContain("3 members, 2 up; 4096 key slots, assignment version 1");
    expect(html).toContain(
      `<tr><td><code>shop.Cart/1</code></td><td><code>bbbbbbbb</code></td><td><span class="badge bad">down</span></td><td class="num">31.7%</td><td class="num">0.0%</td>`,
    );
    expect(html).toMatch(
      /<code>shop\.Cart\/0<\/code>.*<td class="num">34\.2%<\/td><td class="num">50\.0%<\/td><td><svg class="bar share"[^>]*><rect x="0" y="1" width="500\.0"/,
    );
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
