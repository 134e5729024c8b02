import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentStatus } from "./deployment-status.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";
import type { DeploymentStats } from "../metrics/deployment-stats.js";
import type { SpanRecord } from "../tracing/span.js";
import { PROMETHEUS_CONTENT_TYPE, RouteServer, statusRoutes, type StatusSource } from "./status-routes.js";
import { TraceStore } from "../tracing/trace-store.js";
import { RecentLogs, type LogsReply } from "../logs/recent-logs.js";
import type { LogEntry } from "../logs/log-entry.js";
import { WEAVER_REQUEST_HEADER } from "./request-guard.js";

const status = {
  app: "shop",
  deployment: "d1",
  started: 1,
  pid: 2,
  configFile: "weaver.toml",
  config: {},
  groups: [],
  components: [],
  listeners: [],
} satisfies DeploymentStatus;
const metrics: ReplicaMetrics[] = [
  {
    app: "shop",
    deployment: "d1",
    replica: "r1",
    metrics: [{ name: "orders", help: "Orders placed", type: "counter", labels: [], series: [{ labels: [], value: 3 }] }],
  },
];
const stats: DeploymentStats = { started: 1, updated: 2, methods: [], calls: [{ caller: "weaver/Main", callee: "shop/Store", count: 3 }] };
const span = (traceId: string, ms: number, status: SpanRecord["status"]): SpanRecord => ({
  traceId,
  spanId: "b7ad6b7169203331",
  parentSpanId: "",
  name: "api",
  kind: "server",
  start: 1_700_000_000_000_000,
  end: 1_700_000_000_000_000 + ms * 1000,
  status,
  attributes: {},
  events: [],
  resource: { app: "shop", deployment: "d1", replica: "r1", pid: 2 },
});
const traces = new TraceStore();
traces.add([span("t-fast", 2, "ok"), span("t-slow", 300, "unset"), span("t-failed", 20, "error")]);
const entry = (msg: string, level = "info"): LogEntry => ({
  app: "shop",
  version: "d1",
  component: "shop.Store",
  node: "r1",
  time: 1,
  level,
  file: "",
  line: -1,
  msg,
  attrs: {},
});
const logs = new RecentLogs();
for (const m of ["one", "two", "three"]) logs.add(entry(m, m === "two" ? "error" : "info"));
const source: StatusSource = {
  status: () => status,
  metrics: () => Promise.resolve(metrics),
  stats: () => Promise.resolve(stats),
  traces: () => Promise.resolve(traces),
  logs: () => logs,
  profile: () => Promise.reject(new Error("no replica to profile")),
};

let server: RouteServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(from: StatusSource = source, token?: string): Promise<string> {
  server = new RouteServer([
    ...statusRoutes(from),
    { method: "POST", path: "/boom", handle: () => Promise.reject(new Error("the replica went away")) },
  ]);
  return server.listen(0, "127.0.0.1", token);
}

/** A request through node:http, which (unlike fetch) sends any Host and Origin, as a browser under attack would. */
function send(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject).end();
  });
}

describe("RouteServer with statusRoutes", () => {
  it("answers GET /status, /metrics.json and /stats with JSON", async () => {
    const base = await serve();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const get = async (path: string): Promise<unknown> => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      return res.json();
    };
    expect(await get("/status")).toEqual(status);
    expect(await get("/status?pretty")).toEqual(status);
    expect(await get("/metrics.json")).toEqual(metrics);
    expect(await get("/stats")).toEqual(stats);
  });

  it("answers GET /traces by latency bucket and errors, and GET /trace?id= with a trace's spans", async () => {
    const base = await serve();
    const ids = async (query: string): Promise<string[]> =>
      ((await (await fetch(`${base}/traces${query}`)).json()) as { traceId: string }[]).map((t) => t.traceId);
    expect(await ids("")).toEqual(["t-failed", "t-slow", "t-fast"]);
    expect(await ids("?min_ms=10&max_ms=100")).toEqual(["t-failed"]);
    expect(await ids("?min_ms=100")).toEqual(["t-slow"]);
    expect(await ids("?errors=1")).toEqual(["t-failed"]);
    expect(await ids("?limit=1&min_ms=x")).toEqual(["t-failed"]);
    expect(await (await fetch(`${base}/trace?id=t-slow`)).json()).toEqual([span("t-slow", 300, "unset")]);
    const missing = await fetch(`${base}/trace?id=nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no trace "nope" in this deployment; GET /traces lists them' });
  });

  it("answers GET /logs with the last entries, then with new ones as they come", async () => {
    const base = await serve();
    const get = async (query: string): Promise<LogsReply> => (await fetch(`${base}/logs${query}`)).json() as Promise<LogsReply>;
    const last = await get("?limit=2");
    expect(last).toEqual({ entries: [entry("two", "error"), entry("three")], next: 3, missed: 0 });
    expect((await get(`?q=${encodeURIComponent('level == "error"')}`)).entries.map((e) => e.msg)).toEqual(["two"]);
    expect(await get("?after=1")).toEqual({ entries: [entry("two", "error"), entry("three")], next: 3, missed: 0 });
    const waiting = get("?after=3&wait=5000");
    setTimeout(() => logs.add(entry("four")), 50);
    expect(await waiting).toEqual({ entries: [entry("four")], next: 4, missed: 0 });
    const bad = await fetch(`${base}/logs?q=${encodeURIComponent("level ==")}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/position 9/);
  });

  it("answers GET /metrics with Prometheus text whose scrape config names the server", async () => {
    const base = await serve();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(PROMETHEUS_CONTENT_TYPE.startsWith("text/plain; version=0.0.4")).toBe(true);
    const text = await res.text();
    expect(text).toContain(`#     - targets: ['${base.slice("http://".length)}']\n`);
    expect(text).toContain('orders{weaver_app="shop",weaver_deployment="d1",weaver_replica="r1"} 3\n');
  });

  it("answers 404 and 405 with the list of routes, and 500 when a route fails", async () => {
    const base = await serve();
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(
      "no route for /nope; the status server answers:\n  GET /status\n  GET /metrics\n  GET /metrics.json\n  GET /stats\n  GET /traces\n  GET /trace\n  GET /logs\n  POST /profile\n  POST /boom\n",
    );
    const wrong = await fetch(`${base}/status`, { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(await wrong.text()).toMatch(/^\/status does not answer POST; the status server answers:\n/);
    const failed = await fetch(`${base}/boom`, { method: "POST", headers: { [WEAVER_REQUEST_HEADER]: "1" } });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe("POST /boom failed: the replica went away\n");
  });

  it("answers 500 when the source cannot give metrics", async () => {
    const base = await serve({ ...source, metrics: () => Promise.reject(new Error("no replicas")) });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("GET /metrics failed: no replicas\n");
  });
});

describe("RouteServer safety", () => {
  it("refuses requests addressed to another host name, as a DNS-rebinding page's are", async () => {
    const base = await serve();
    const port = new URL(base).port;
    for (const path of ["/status", "/logs", "/metrics", "/traces"]) {
      const res = await send(base, path, { headers: { host: `evil.example.com:${port}` } });
      expect(res.status, path).toBe(403);
      expect(res.body).toBe(
        'the status server answers only requests addressed to 127.0.0.1 or localhost, not to "evil.example.com"; use its address as registered\n',
      );
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await send(base, "/status", { headers: { host } })).status, host).toBe(200);
    }
  });

  it("refuses requests from web pages of other origins, and grants no CORS preflight", async () => {
    const base = await serve();
    const foreign = await send(base, "/status", { headers: { origin: "http://evil.example.com" } });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('refuses requests from web pages of other origins (this one came from "http://evil.example.com")');
    expect((await send(base, "/status", { headers: { origin: "null" } })).status).toBe(403);
    expect((await send(base, "/status", { headers: { origin: base } })).status).toBe(200);
    const preflight = await send(base, "/profile", {
      method: "OPTIONS",
      headers: { origin: "http://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });

  it("starts no profile for a cross-site simple POST, only for a request with the Weaver header", async () => {
    let profiles = 0;
    const profile = (): Promise<never> => {
      profiles++;
      return Promise.reject(new Error("no replica to profile"));
    };
    const base = await serve({ ...source, profile });
    // What a form or a no-cors fetch on another site sends: a simple POST, with or without Origin.
    const simple = { "content-type": "application/x-www-form-urlencoded" };
    const bare = await send(base, "/profile?type=heap", { method: "POST", headers: simple });
    expect(bare.status).toBe(403);
    expect(bare.body).toBe(
      `the status server requires the header ${WEAVER_REQUEST_HEADER} on POST requests, which no web page can send; the weaver tools and StatusClient send it\n`,
    );
    const cross = await send(base, "/profile?type=heap", { method: "POST", headers: { ...simple, origin: "http://evil.example.com" } });
    expect(cross.status).toBe(403);
    expect(profiles).toBe(0);
    const tool = await send(base, "/profile?type=heap", { method: "POST", headers: { [WEAVER_REQUEST_HEADER]: "1" } });
    expect(tool).toMatchObject({ status: 500, body: "no replica to profile\n" });
    expect(profiles).toBe(1);
  });

  it("requires its token, when it has one, from every request", async () => {
    const base = await serve(source, "s3cret-token");
    const none = await send(base, "/status");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="weaver"');
    expect(none.body).toContain('requires its token as "Authorization: Bearer <token>"');
    expect((await send(base, "/status", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await send(base, "/status", { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
  });

  it("redacts the config of GET /status, whatever the deployer put in it", async () => {
    const config = { "shop/Store": { password: "hunter2", user: "ada", token: "${env:T}" } };
    const base = await serve({ ...source, status: () => ({ ...status, config }) });
    const res = await send(base, "/status");
    expect(res.body).not.toContain("hunter2");
    expect((JSON.parse(res.body) as DeploymentStatus).config).toEqual({
      "shop/Store": { password: "<redacted>", user: "ada", token: "${env:T}" },
    });
  });
});
