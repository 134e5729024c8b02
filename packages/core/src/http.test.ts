import http from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { installTracing, setTraceRate, snapshotMetrics, takeSpans, type MetricSnapshot } from "@weaver/runtime/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentHandler } from "./http.js";

let server: http.Server;
let base = "";

beforeAll(async () => {
  installTracing(0);
  server = http.createServer(
    instrumentHandler("api", (req, res) => {
      trace.getActiveSpan()?.setAttribute("app.seen", true);
      if (req.url === "/missing") res.statusCode = 404;
      if (req.url?.startsWith("/broken")) res.statusCode = 503;
      res.end("hello");
    }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function series(name: string): MetricSnapshot["series"] {
  return snapshotMetrics().find((m) => m.name === name)?.series ?? [];
}

describe("instrumentHandler", () => {
  it("counts requests, errors by status class, latency and bytes, by label and host", async () => {
    for (const path of ["/", "/", "/missing", "/broken"]) await (await fetch(`${base}${path}`)).text();
    const host = base.slice("http://".length);
    expect(series("weaver_http_request_count")).toEqual([{ labels: [host, "api"], value: 4 }]);
    expect(series("weaver_http_error_count")).toEqual([
      { labels: ["4xx", host, "api"], value: 1 },
      { labels: ["5xx", host, "api"], value: 1 },
    ]);
    const [latency] = series("weaver_http_request_latency_micros");
    expect(latency!.counts!.reduce((a, b) => a + b, 0)).toBe(4);
    const [returned] = series("weaver_http_request_bytes_returned");
    // Each response carries "hello" and its headers.
    expect(returned!.value).toBeGreaterThan(4 * 50);
    const [received] = series("weaver_http_request_bytes_received");
    expect(received!.value).toBeGreaterThan(4 * 20);
  });

  it("traces sampled requests and continues a caller's sampled trace, with the handler inside the span", async () => {
    setTraceRate(0);
    takeSpans();
    await (await fetch(`${base}/`)).text();
    expect(takeSpans()).toEqual([]);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await (await fetch(`${base}/broken?x=1`, { headers: { traceparent } })).text();
    setTraceRate(1000);
    await (await fetch(`${base}/`)).text();
    const spans = takeSpans();
    expect(spans).toHaveLength(2);
    expect(spans[0]).toMatchObject({
      name: "api",
      kind: "server",
      traceId: "0af7651916cd43dd8448eb211c80319c",
      parentSpanId: "b7ad6b7169203331",
      status: "error",
      attributes: { "http.request.method": "GET", "url.path": "/broken", "http.response.status_code": 503, "app.seen": true },
    });
    expect(spans[1]).toMatchObject({ name: "api", parentSpanId: "", status: "unset", attributes: { "http.response.status_code": 200 } });
  });
});
