// The dashboard server against a status server the test controls (the routes a deployment's
// status server answers, over canned data), registered in a registry under a temporary
// XDG_DATA_HOME, as a deployer registers.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  RecentLogs,
  compileLogQuery,
  registerDeployment,
  unregisterDeployment,
  type DeploymentStats,
  type DeploymentStatus,
  type LogEntry,
  type SpanRecord,
  type TraceSummary,
} from "@weaver/runtime";
import type { Dashboard } from "@weaver/runtime/tool";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDashboard } from "./dashboard-server.js";

const ID = "0123abcd-0000-4000-8000-000000000000";
const NOW = Date.now();
const data = mkdtempSync(join(tmpdir(), "weaver-dashboard-unit-"));
const savedXdg = process.env["XDG_DATA_HOME"];

const status: DeploymentStatus = {
  app: "shop",
  deployment: ID,
  started: NOW - 75_000,
  pid: process.pid,
  configFile: "/app/weaver.toml",
  config: { serviceweaver: { name: "shop", traces_per_second: 3 }, "shop/Store": { password: "hunter2", token: "${env:TOKEN}" } },
  groups: [
    {
      name: "weaver.Main",
      components: ["weaver/Main"],
      replicas: [
        { id: "aaaaaaaa-1", pid: 12, state: "ready", started: NOW - 70_000, restarts: 0 },
        { id: "bbbbbbbb-2", pid: 11, state: "unhealthy", started: NOW, restarts: 2 },
      ],
    },
    {
      name: "shop.Store",
      components: ["shop/Store", "shop/Cache"],
      replicas: [{ id: "cccccccc-3", pid: 13, state: "ready", started: NOW, restarts: 0 }],
    },
  ],
  components: [
    { name: "weaver/Main", short: "weaver.Main", group: "weaver.Main" },
    { name: "shop/Cache", short: "shop.Cache", group: "shop.Store" },
    { name: "shop/Store", short: "shop.Store", group: "shop.Store" },
  ],
  listeners: [{ name: "web", address: "127.0.0.1:4000" }],
  callGraph: [
    ["weaver/Main", "shop/Store"],
    ["shop/Store", "shop/Cache"],
  ],
};
const window = (count: number) => ({ count, errors: 0, latencyMs: 0.25, requestKBps: 1.5, replyKBps: 2 });
let stats: DeploymentStats = {
  started: status.started,
  updated: NOW,
  methods: [{ component: "shop/Store", method: "buy", minute: window(3), hour: window(4), total: window(5) }],
  calls: [{ caller: "weaver/Main", callee: "shop/Store", count: 5 }],
};
const span = (spanId: string, parentSpanId: string, name: string, startMs: number, endMs: number, replica: string): SpanRecord => ({
  traceId: "t".repeat(32),
  spanId,
  parentSpanId,
  name,
  kind: parentSpanId === "" ? "server" : "client",
  start: NOW * 1000 + startMs * 1000,
  end: NOW * 1000 + endMs * 1000,
  status: "ok",
  attributes: parentSpanId === "" ? { "http.request.method": "GET", "url.path": "/buy" } : {},
  events: [],
  resource: { app: "shop", deployment: ID, replica, pid: 12 },
});
const spans = [
  span("s1", "", "web", 0, 10, "aaaaaaaa-1"),
  span("s2", "s1", "shop.Store.buy", 2, 8, "aaaaaaaa-1"),
  span("s3", "s2", "shop.Store.buy", 3, 7, "cccccccc-3"),
];
const summary: TraceSummary = {
  traceId: "t".repeat(32),
  name: "web",
  request: "GET /buy",
  start: NOW * 1000,
  end: NOW * 1000 + 10_000,
  durationMs: 10,
  status: "ok",
  spans: 3,
  processes: 2,
};
const logs = new RecentLogs();
const entry = (msg: string, level = "info"): LogEntry => ({
  app: "shop",
  version: ID,
  component: "shop.Store",
  node: "cccccccc-3",
  time: NOW * 1000,
  level,
  file: "store.ts",
  line: 7,
  msg,
  attrs: { order: "42" },
});
logs.add(entry("bought <3 things>"));
const replicaMetrics = (replica: string, orders: number) => ({
  app: "shop",
  deployment: ID,
  replica,
  metrics: [{ name: "orders_total", help: "Orders placed", type: "counter" as const, labels: [], series: [{ labels: [], value: orders }] }],
});
let metrics = [replicaMetrics("aaaaaaaa-1", 3), replicaMetrics("cccccccc-3", 4)];

/** The token the status server requires, as one that listens beyond loopback does. */
const TOKEN = "test-token-0123456789";

/**
 * Answers the routes of a status server (see StatusClient) from the data above, as an older
 * deployer's would: the config unredacted. It requires TOKEN.
 */
const statusServer = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://status");
  const json = (value: unknown, code = 200): void =>
    void res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(value));
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json({ error: "no token" }, 401);
  const p = url.searchParams;
  switch (url.pathname) {
    case "/status":
      return json(status);
    case "/stats":
      return json(stats);
    case "/metrics.json":
      return json(metrics);
    case "/traces":
      return json(p.get("errors") === "1" ? [] : [summary]);
    case "/trace":
      return p.get("id") === summary.traceId ? json(spans) : json({ error: "no such trace" }, 404);
    case "/logs": {
      let filter: ReturnType<typeof compileLogQuery>;
      try {
        filter = compileLogQuery(p.get("q") ?? "");
      } catch (e) {
        return json({ error: (e as Error).message }, 400);
      }
      const limit = Number(p.get("limit") ?? 200);
      if (p.get("after") === null) return json(logs.last(filter, limit));
      void logs.since(Number(p.get("after")), filter, limit, Number(p.get("wait") ?? 0)).then((r) => json(r));
      return;
    }
    default:
      return json({ error: "no such route" }, 404);
  }
});
let dashboard: Dashboard | undefined;

beforeAll(async () => {
  process.env["XDG_DATA_HOME"] = data;
  await new Promise<void>((resolve) => statusServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(statusServer.address() as AddressInfo).port}`;
  registerDeployment({
    deployer: "multi",
    deployment: ID,
    app: "shop",
    status: url,
    pid: process.pid,
    started: status.started,
    token: TOKEN,
  });
});
afterEach(async () => {
  await dashboard?.close();
  dashboard = undefined;
});
afterAll(async () => {
  unregisterDeployment("multi", ID);
  statusServer.closeAllConnections();
  await new Promise((resolve) => statusServer.close(resolve));
  if (savedXdg === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = savedXdg;
  rmSync(data, { recursive: true, force: true });
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; csp: string | null; text: string }> {
  dashboard ??= await startDashboard({ deployer: "multi" });
  const res = await fetch(`${dashboard.url}${path}`, init);
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    csp: res.headers.get("content-security-policy"),
    text: await res.text(),
  };
}

/** Opens a page's live connection and collects its messages. */
async function live(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; next: (t: string) => Promise<Record<string, unknown>> }> {
  dashboard ??= await startDashboard({ deployer: "multi" });
  const ws = new WebSocket(`${dashboard.url.replace("http", "ws")}/live${path}`, { headers });
  const messages: Record<string, unknown>[] = [];
  ws.on("message", (m) => messages.push(JSON.parse(String(m)) as Record<string, unknown>));
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const next = async (t: string): Promise<Record<string, unknown>> => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const i = messages.findIndex((m) => m["t"] === t);
      if (i >= 0) return messages.splice(i, 1)[0]!;
    }
    throw new Error(`no "${t}" message from ${path}: ${JSON.stringify(messages)}`);
  };
  return { ws, messages, next };
}

describe("the dashboard's pages", () => {
  it("lists the running deployments, with a strict CSP and the assets they need", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.type).toBe("text/html; charset=utf-8");
    expect(index.csp).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(index.text).toContain(`<a href="/deployment?id=${ID}"><code>${ID}</code></a>`);
    expect(index.text).toContain("2 of 3 replicas ready");
    expect(index.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const [path, type] of [
      ["/assets/dashboard.js", "text/javascript"],
      ["/assets/dashboard.css", "text/css"],
      ["/assets/favicon.svg", "image/svg+xml"],
      ["/assets/re2js.js", "text/javascript"],
    ] as const) {
      const asset = await get(path);
      expect(asset.status).toBe(200);
      expect(asset.type).toContain(type);
      expect(asset.text.length).toBeGreaterThan(100);
    }
  });

  it("shows a deployment: summary, replicas with health, traffic graph, methods, redacted config, commands", async () => {
    const page = await get(`/deployment?id=0123`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<th>Listener &quot;web&quot;</th>`);
    expect(page.text).toContain("2 groups, 3 replicas, 2 ready");
    expect(page.text).toMatch(
      /data-replica="bbbbbbbb-2">.*<td><code>bbbbbbbb<\/code><\/td><td class="num">11<\/td><td><span class="badge bad">unhealthy<\/span><\/td><td class="num">2<\/td>/,
    );
    expect(page.text).toContain("shop.Store, shop.Cache");
    expect(page.text).toContain(`data-edge="weaver/Main-&gt;shop/Store" data-count="5"`);
    expect(page.text).toContain(`<g class="edge idle" data-edge="shop/Store-&gt;shop/Cache" data-count="0">`);
    expect(page.text).toContain(
      `<td><code title="shop/Store">shop.Store</code></td><td><code>buy</code></td><td class="num">3</td><td class="num">4</td><td class="num">5</td>`,
    );
    // Latencies rounded for reading: 0.25 ms is 250 µs.
    expect(page.text).toContain(`<td class="num">250 µs</td><td class="num">250 µs</td><td class="num">250 µs</td>`);
    expect(page.text).toContain(`password = &quot;&lt;redacted&gt;&quot;`);
    expect(page.text).toContain(`token = &quot;\${env:TOKEN}&quot;`);
    expect(page.text).not.toContain("hunter2");
    expect(page.text).toContain(`data-copy="weaver multi logs &#39;version==&quot;0123abcd&quot;&#39;"`);
  });

  it("shows the logs, the traces with their waterfall, and the metrics", async () => {
    const logsPage = await get(`/logs?id=${ID}`);
    expect(logsPage.text).toContain(`<td class="msg">bought &lt;3 things&gt; <span class="attr">order=<b>&quot;42&quot;</b></span></td>`);
    expect(logsPage.text).toContain(`data-next="1"`);
    const refused = await get(`/logs?id=${ID}&q=${encodeURIComponent("level ==")}`);
    expect(refused.text).toMatch(/<p class="error" role="alert">[^<]*position 9/);

    const list = await get(`/traces?id=${ID}`);
    expect(list.text).toContain(`web <code>GET /buy</code></a>`);
    expect(list.text).toContain(`href="/trace?id=${ID}&amp;trace=${"t".repeat(32)}"`);
    expect((await get(`/traces?id=${ID}&bucket=errors`)).text).toContain(
      "No failed traces yet: tracing samples about 3 requests per second",
    );
    const trace = await get(`/trace?id=${ID}&trace=${"t".repeat(32)}`);
    expect([...trace.text.matchAll(/<details class="span depth-(\d+)/g)].map((m) => m[1])).toEqual(["0", "1", "2"]);
    expect(trace.text).toContain("3 spans in 2 processes");
    expect(trace.text).toContain(`x="200.0" y="1" width="600.0"`); // s2: 2..8 ms of 10
    expect((await get(`/trace?id=${ID}&trace=nope`)).status).toBe(404);

    const metricsPage = await get(`/metrics?id=${ID}&filter=nothing`);
    expect(metricsPage.text).toContain(`<section class="metric" data-metric="orders_total" hidden>`);
    expect(metricsPage.text).toMatch(
      /<td class="num">7<\/td><td>.*<\/td><td><details class="replicas" data-key="[^"]*"><summary>2 replicas/,
    ); // 3 + 4
  });

  it("answers 404 for an unknown deployment or path, 405 for other methods, 403 for another host name", async () => {
    expect((await get("/deployment?id=ffff")).text).toContain("No deployment, running or ended, has the id &quot;ffff&quot;.");
    expect((await get("/deployment?id=ffff")).status).toBe(404);
    expect((await get("/api/deployment")).status).toBe(404);
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/", { method: "POST" })).status).toBe(405);
    // fetch does not let a caller set Host; node:http does, as a DNS-rebinding page's browser would.
    const port = new URL(dashboard!.url).port;
    const code = await new Promise<number | undefined>((resolve, reject) =>
      request({ host: "127.0.0.1", port, path: "/", headers: { host: `evil.example:${port}` } }, (res) => resolve(res.resume().statusCode))
        .on("error", reject)
        .end(),
    );
    expect(code).toBe(403);
    const redacted = { ...status, config: { ...status.config, "shop/Store": { password: "<redacted>", token: "${env:TOKEN}" } } };
    expect(JSON.parse((await get(`/api/deployment?id=${ID}`)).text)).toEqual({ status: redacted, stats });
  });

  it("shows no config secret and no status server token in /api/deployments and /api/deployment", async () => {
    for (const path of ["/api/deployments", `/api/deployment?id=${ID}`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('"password":"<redacted>"');
      expect(res.text).not.toContain("hunter2");
      expect(res.text).not.toContain(TOKEN);
    }
    const listing = JSON.parse((await get("/api/deployments")).text) as { deployments: { registration: Record<string, unknown> }[] };
    expect(listing.deployments.map((d) => Object.keys(d.registration).sort())).toEqual([
      ["app", "deployer", "deployment", "pid", "started", "status"],
    ]);
  });

  it("refuses requests from another web origin, as the status servers do", async () => {
    const foreign = await get("/api/deployments", { headers: { origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toBe(
      'the dashboard refuses requests from web pages of other origins (this one came from "http://evil.example")\n',
    );
    expect((await get("/api/deployments", { headers: { origin: dashboard!.url } })).status).toBe(200);
  });
});

describe("live pages", () => {
  it("sends every card first, then only those that change", async () => {
    const { ws, next } = await live(`/deployment?id=${ID}`);
    const first = (await next("cards"))["cards"] as Record<string, { html: string; hash: string }>;
    expect(Object.keys(first).sort()).toEqual(["components", "methods", "summary", "traffic"]);
    expect(first["traffic"]!.html).toContain(`data-count="5"`);
    stats = { ...stats, calls: [{ caller: "weaver/Main", callee: "shop/Store", count: 9 }] };
    const changed = (await next("cards"))["cards"] as Record<string, { html: string }>;
    expect(Object.keys(changed)).toEqual(["traffic"]);
    expect(changed["traffic"]!.html).toContain(`data-count="9"`);
    ws.close();
  });

  it("draws a chart of each metric's recent totals once the dashboard has sampled it twice", { timeout: 20_000 }, async () => {
    const { ws, next } = await live(`/metrics?id=${ID}`);
    let html = "";
    while (!html.includes(`<svg class="spark"`)) {
      metrics = [replicaMetrics("aaaaaaaa-1", 3 + html.length), replicaMetrics("cccccccc-3", 4)];
      html = ((await next("cards"))["cards"] as Record<string, { html: string }>)["metrics"]!.html;
    }
    expect(html).toMatch(
      /<svg class="spark" [^>]*><title>orders_total over the last 5 minutes<\/title><polyline points="[\d., ]+"\/><\/svg>/,
    );
    ws.close();
  });

  it("streams new log entries that match the page's query, from where the page stopped", async () => {
    const { ws, next } = await live(`/logs?id=${ID}&q=${encodeURIComponent('level == "error"')}&after=1`);
    logs.add(entry("quiet"));
    logs.add(entry("payment failed", "error"));
    const m = await next("logs");
    expect(m["html"]).toContain("payment failed");
    expect(m["html"]).not.toContain("quiet");
    expect(m["next"]).toBe(3);
    ws.close();
  });

  it("says when the deployment is gone, and refuses other origins", async () => {
    const { next } = await live(`/deployment?id=ffff`);
    expect((await next("gone"))["message"]).toBe(`No deployment, running or ended, has the id "ffff".`);
    dashboard ??= await startDashboard({ deployer: "multi" });
    const foreign = new WebSocket(`${dashboard.url.replace("http", "ws")}/live/?`, { headers: { origin: "http://evil.example" } });
    const refused = await new Promise<string>((resolve) =>
      foreign.once("unexpected-response", (_req, res) => resolve(String(res.statusCode))).once("error", (e) => resolve(e.message)),
    );
    expect(refused).toBe("403");
  });
});
