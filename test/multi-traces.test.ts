// Traces of a real multi deployment: one request through the reverser example's /both endpoint
// crosses three processes (Main, Reverser, Converter); its spans reach the deployer, which serves
// them at /traces and /trace and sends them to an OTLP collector named in weaver.toml.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpanRecord, TraceSummary } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { registration, settled } from "./support/deployments.js";
import { ROOT, TestProcess, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-multi-traces-"));
const env = { XDG_DATA_HOME: data };
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** An OTLP/HTTP collector that keeps the span names and ids it receives. */
async function collector(): Promise<{ url: string; spans: { traceId: string; name: string }[]; close: () => Promise<void> }> {
  const spans: { traceId: string; name: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const request = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
      for (const r of request.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("traces in weaver multi", () => {
  it("records a request's spans across three processes with correct parent links, serves them, and exports them by OTLP", async () => {
    const otlp = await collector();
    try {
      const file = join(data, "weaver.toml");
      writeFileSync(
        file,
        `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\notlp_endpoint = "${otlp.url}"\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
      );
      const app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
      const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
      const [, port] = await app.waitFor(/http listener available on 127\.0\.0\.1:(\d+)\n/);
      const { status } = await registration(data, deployment!);
      await settled(status);
      // Each Main replica traces the first request it serves (then about one a second).
      expect(await (await fetch(`http://127.0.0.1:${port}/both?name=abc`)).text()).toBe("after reversing and converting, name is CBA\n");

      const summary = await until("a trace with five spans", async () => {
        const list = (await (await fetch(`${status}/traces`)).json()) as TraceSummary[];
        return list.find((t) => t.spans === 5);
      });
      expect(summary).toMatchObject({ name: "reverser", status: "ok", processes: 3 });
      const spans = (await (await fetch(`${status}/trace?id=${summary.traceId}`)).json()) as SpanRecord[];
      const one = (name: string, kind: SpanRecord["kind"]): SpanRecord => {
        const found = spans.filter((s) => s.name === name && s.kind === kind);
        expect(found, `${kind} span ${name}`).toHaveLength(1);
        return found[0]!;
      };
      const root = one("reverser", "server");
      const reverseClient = one("reverser.Reverser.reverse", "client");
      const reverseServer = one("reverser.Reverser.reverse", "server");
      const upperClient = one("reverser.Converter.toUpper", "client");
      const upperServer = one("reverser.Converter.toUpper", "server");
      expect(root.parentSpanId).toBe("");
      expect(root.attributes).toMatchObject({ "http.request.method": "GET", "url.path": "/both", "http.response.status_code": 200 });
      expect(reverseClient.parentSpanId).toBe(root.spanId);
      expect(upperClient.parentSpanId).toBe(root.spanId);
      expect(reverseServer.parentSpanId).toBe(reverseClient.spanId);
      expect(upperServer.parentSpanId).toBe(upperClient.spanId);
      // Client spans are in Main's process, server spans in the callee's; three processes in all.
      expect(new Set([root, reverseClient, upperClient].map((s) => s.resource.pid)).size).toBe(1);
      expect(new Set([root.resource.pid, reverseServer.resource.pid, upperServer.resource.pid]).size).toBe(3);
      for (const s of spans) expect(s.resource).toMatchObject({ app: "reverser", deployment });
      // Nesting in time: the server span lies within its client span, which lies within the request.
      expect(reverseClient.start).toBeGreaterThanOrEqual(root.start);
      expect(reverseClient.end).toBeLessThanOrEqual(root.end);
      expect(upperClient.start).toBeGreaterThanOrEqual(reverseClient.end);

      await until("the spans at the OTLP collector", async () =>
        otlp.spans.filter((s) => s.traceId === summary.traceId).length === 5 ? true : undefined,
      );
      await app.stop("SIGINT");
    } finally {
      await otlp.close();
    }
  });
});
