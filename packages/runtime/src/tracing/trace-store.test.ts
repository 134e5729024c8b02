import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SpanRecord } from "./span.js";
import { TraceStore } from "./trace-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let n = 0;
function span(traceId: string, durationMs: number, over: Partial<SpanRecord> = {}): SpanRecord {
  const start = 1_700_000_000_000_000 + n++ * 1000;
  return {
    traceId,
    spanId: (n + 1).toString(16).padStart(16, "0"),
    parentSpanId: "",
    name: `root ${traceId}`,
    kind: "server",
    start,
    end: start + durationMs * 1000,
    status: "unset",
    attributes: {},
    events: [],
    resource: { app: "a", deployment: "d", replica: "r1", pid: 1 },
    ...over,
  };
}

describe("TraceStore", () => {
  it("lists traces newest first, by latency bucket and errors, and returns a trace's spans in time order", () => {
    const store = new TraceStore();
    const root = span("t1", 50);
    const child = span("t1", 5, {
      parentSpanId: root.spanId,
      name: "child",
      status: "error",
      resource: { ...root.resource, replica: "r2" },
    });
    store.add([child, root, span("t2", 0.5), span("t3", 2000)]);
    expect(store.list().map((t) => t.traceId)).toEqual(["t3", "t2", "t1"]);
    expect(store.list({ minMs: 10, maxMs: 100 }).map((t) => t.traceId)).toEqual(["t1"]);
    expect(store.list({ maxMs: 1 }).map((t) => t.traceId)).toEqual(["t2"]);
    expect(store.list({ errors: true })).toEqual([
      expect.objectContaining({ traceId: "t1", name: "root t1", status: "error", spans: 2, processes: 2 }),
    ]);
    expect(store.list({ limit: 1 })).toHaveLength(1);
    expect(store.trace("t1")?.map((s) => s.name)).toEqual(["root t1", "child"]);
    expect(store.trace("nope")).toBeUndefined();
  });

  it("keeps at most maxTraces, dropping the oldest", () => {
    const store = new TraceStore({ maxTraces: 2 });
    store.add([span("a", 1), span("b", 1), span("c", 1)]);
    expect(store.list().map((t) => t.traceId)).toEqual(["c", "b"]);
  });

  it("keeps traces in its file, reads them back, and compacts the file to the kept traces", () => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-traces-"));
    dirs.push(dir);
    const file = join(dir, "traces", "d.jsonl");
    const store = new TraceStore({ file, maxTraces: 3 });
    for (let i = 0; i < 1500; i++) store.add([span(`t${i}`, 1)]);
    expect(new TraceStore({ file, maxTraces: 3 }).list().map((t) => t.traceId)).toEqual(["t1499", "t1498", "t1497"]);
    // 1500 spans written, 3 kept: the file was rewritten on the way and stays small.
    expect(readFileSync(file, "utf8").trim().split("\n").length).toBeLessThan(1010);
  });
});
