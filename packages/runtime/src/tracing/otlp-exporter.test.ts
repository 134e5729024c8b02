import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OtlpExporter } from "./otlp-exporter.js";
import type { SpanRecord } from "./span.js";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function collector(status: number): Promise<{ url: string; bodies: unknown[]; paths: string[] }> {
  const bodies: unknown[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      paths.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      bodies.push(JSON.parse(body));
      res.statusCode = status;
      res.end("{}");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, paths };
}

const SPAN: SpanRecord = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  parentSpanId: "a7ad6b7169203331",
  name: "reverser.Reverser.reverse",
  kind: "client",
  start: 1_700_000_000_000_001,
  end: 1_700_000_000_000_501,
  status: "error",
  statusMessage: "boom",
  attributes: { s: "x", i: 3, d: 1.5, b: true, list: ["a"] },
  events: [{ name: "exception", time: 1_700_000_000_000_400, attributes: {} }],
  resource: { app: "reverser", deployment: "dep", replica: "rep", pid: 42 },
};

describe("OtlpExporter", () => {
  it("posts OTLP JSON to <endpoint>/v1/traces", async () => {
    const c = await collector(200);
    const exporter = new OtlpExporter(`${c.url}/`, () => {});
    exporter.export([SPAN]);
    await exporter.flush();
    expect(c.paths).toEqual(["POST /v1/traces application/json"]);
    expect(c.bodies[0]).toEqual({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: "reverser" } },
              { key: "service.instance.id", value: { stringValue: "rep" } },
              { key: "weaver.deployment", value: { stringValue: "dep" } },
              { key: "process.pid", value: { intValue: "42" } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: "weaver" },
              spans: [
                {
                  traceId: SPAN.traceId,
                  spanId: SPAN.spanId,
                  parentSpanId: SPAN.parentSpanId,
                  name: SPAN.name,
                  kind: 3,
                  startTimeUnixNano: "1700000000000001000",
                  endTimeUnixNano: "1700000000000501000",
                  attributes: [
                    { key: "s", value: { stringValue: "x" } },
                    { key: "i", value: { intValue: "3" } },
                    { key: "d", value: { doubleValue: 1.5 } },
                    { key: "b", value: { boolValue: true } },
                    { key: "list", value: { arrayValue: { values: [{ stringValue: "a" }] } } },
                  ],
                  events: [{ timeUnixNano: "1700000000000400000", name: "exception", attributes: [] }],
                  status: { code: 2, message: "boom" },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("reports a collector that refuses spans once, until it takes them again", async () => {
    const c = await collector(503);
    const errors: string[] = [];
    const exporter = new OtlpExporter(c.url, (m) => errors.push(m));
    exporter.export([SPAN]);
    await exporter.flush();
    exporter.export([SPAN]);
    await exporter.flush();
    expect(errors).toEqual([
      `cannot send 1 spans to the OTLP collector at ${c.url}/v1/traces: the collector answered HTTP 503; dropping spans until it answers`,
    ]);
    expect(c.bodies).toHaveLength(2);
  });
});
