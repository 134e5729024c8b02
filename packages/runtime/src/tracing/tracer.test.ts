import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { enterSpan } from "../calls/call-context.js";
import { LocalCalls } from "../calls/local-calls.js";
import { formatTraceparent, parseTraceparent, type SpanRecord } from "./span.js";
import { installTracing, setTraceRate, startEntrySpan, takeSpans } from "./tracer.js";

const METHODS = [{ name: "reverse", retriable: true }];

beforeAll(() => {
  expect(installTracing(1)).toBe(true);
});
afterEach(() => {
  setTraceRate(1);
  takeSpans();
});

function byName(spans: SpanRecord[], name: string): SpanRecord {
  const s = spans.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no span ${name} in ${spans.map((x) => x.name).join(", ")}`);
  return s;
}

describe("tracing", () => {
  it("samples about rate requests per second, and none at rate 0", () => {
    setTraceRate(1);
    expect(startEntrySpan("a", SpanKind.SERVER, undefined, true)).toBeDefined();
    // The next sample time is at most two seconds away; right now it is (almost surely) not yet.
    let sampled = 0;
    for (let i = 0; i < 100; i++) if (startEntrySpan("a", SpanKind.SERVER, undefined, true) !== undefined) sampled++;
    expect(sampled).toBeLessThanOrEqual(1);
    setTraceRate(0);
    expect(startEntrySpan("a", SpanKind.SERVER, undefined, true)).toBeUndefined();
  });

  it("continues a sampled traceparent and ignores an unsampled or malformed one", () => {
    setTraceRate(0);
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const span = startEntrySpan("s", SpanKind.SERVER, parent, false)!;
    span.end();
    const [record] = takeSpans();
    expect(record).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      parentSpanId: "b7ad6b7169203331",
      kind: "server",
      name: "s",
    });
    expect(startEntrySpan("s", SpanKind.SERVER, parent.replace(/01$/, "00"), true)).toBeUndefined();
    expect(startEntrySpan("s", SpanKind.SERVER, "garbage", false)).toBeUndefined();
    expect(parseTraceparent(formatTraceparent({ traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: 1 }))).toMatchObject({
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
      traceFlags: 1,
    });
    expect(parseTraceparent(`00-${"0".repeat(32)}-${"b".repeat(16)}-01`)).toBeUndefined();
  });

  it("gives every local call of a traced request an internal span, child of the caller's, with errors recorded", async () => {
    const callee = new LocalCalls("app/Inner", METHODS, { caller: "app/Outer" });
    const outer = new LocalCalls("app/Outer", METHODS, { caller: "weaver/Main" });
    const root = startEntrySpan("GET /", SpanKind.SERVER, undefined, true)!;
    await enterSpan(root, () =>
      outer.call(0, async () => {
        trace.getActiveSpan()?.setAttribute("user.key", "v");
        await callee.call(0, async () => "ok");
        await callee.call(0, () => Promise.reject(new Error("boom"))).catch(() => {});
        return "done";
      }),
    );
    root.end();
    const spans = takeSpans();
    const rootRecord = byName(spans, "GET /");
    const outerRecord = byName(spans, "app.Outer.reverse");
    const inner = spans.filter((s) => s.name === "app.Inner.reverse");
    expect(outerRecord).toMatchObject({
      kind: "internal",
      parentSpanId: rootRecord.spanId,
      traceId: rootRecord.traceId,
      attributes: { "user.key": "v" },
    });
    expect(inner).toHaveLength(2);
    for (const s of inner) expect(s.parentSpanId).toBe(outerRecord.spanId);
    expect(inner.map((s) => s.status)).toEqual(["unset", "error"]);
    expect(inner[1]).toMatchObject({ statusMessage: "boom", events: [{ name: "exception", attributes: { "exception.message": "boom" } }] });
    expect(outerRecord.start).toBeLessThanOrEqual(inner[0]!.start);
    expect(outerRecord.end).toBeGreaterThanOrEqual(inner[1]!.end);
  });

  it("records nothing for untraced calls", async () => {
    const calls = new LocalCalls("app/Inner", METHODS, { caller: "x/Y" });
    await calls.call(0, async () => "ok");
    expect(takeSpans()).toEqual([]);
  });

  it("lets apps start spans with the OpenTelemetry API, as children of the current call", async () => {
    const root = startEntrySpan("root", SpanKind.SERVER, undefined, true)!;
    await enterSpan(root, () =>
      trace.getTracer("app").startActiveSpan("work", async (span) => {
        span.addEvent("half way", { step: 1 });
        span.setStatus({ code: SpanStatusCode.OK });
        expect(trace.getActiveSpan()).toBe(span);
        span.end();
      }),
    );
    root.end();
    const spans = takeSpans();
    expect(byName(spans, "work")).toMatchObject({
      parentSpanId: byName(spans, "root").spanId,
      status: "ok",
      events: [{ name: "half way", attributes: { step: 1 } }],
    });
  });

  it("starts no span from the API when the sampler says no and there is no parent", () => {
    setTraceRate(0);
    const span = trace.getTracer("app").startSpan("x");
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(takeSpans()).toEqual([]);
  });
});
