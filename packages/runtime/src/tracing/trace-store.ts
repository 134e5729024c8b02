/**
 * The spans of one deployment, kept by its deployer: grouped by trace, queried by latency and
 * status, and bounded. At most `maxTraces` traces are kept (the oldest go first) and at most
 * MAX_SPANS_PER_TRACE spans of one trace. With a file, every span is also appended to it as a JSON
 * line, so traces outlive the deployer (the dashboard reads them); the file is rewritten with only
 * the kept traces whenever it holds twice as many spans as they do, and read back on start.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SpanRecord } from "./span.js";

/** Traces a store keeps by default. */
export const DEFAULT_MAX_TRACES = 10_000;
/** Spans of one trace a store keeps; further ones are dropped. */
export const MAX_SPANS_PER_TRACE = 2_000;

/** One trace in a list. Times are microseconds since the epoch. */
export interface TraceSummary {
  readonly traceId: string;
  /** The root span's name (the earliest span's when the root has not arrived). */
  readonly name: string;
  /** What the root span served, when it was an HTTP request: "GET /both"; "" otherwise. */
  readonly request: string;
  readonly start: number;
  readonly end: number;
  readonly durationMs: number;
  /** "error" when any span failed. */
  readonly status: "ok" | "error";
  readonly spans: number;
  /** Processes the trace went through. */
  readonly processes: number;
}

/** What to list: latency bounds in milliseconds (low inclusive, high exclusive), only failed traces, how many. */
export interface TraceQuery {
  readonly minMs?: number;
  readonly maxMs?: number;
  readonly errors?: boolean;
  readonly limit?: number;
}

/** Stores spans by trace. */
export class TraceStore {
  readonly #traces = new Map<string, SpanRecord[]>();
  readonly #file: string | undefined;
  readonly #maxTraces: number;
  #spansInFile = 0;
  #spansKept = 0;

  constructor(options: { file?: string; maxTraces?: number } = {}) {
    this.#file = options.file;
    this.#maxTraces = options.maxTraces ?? DEFAULT_MAX_TRACES;
    if (this.#file !== undefined && existsSync(this.#file)) {
      const spans: SpanRecord[] = [];
      for (const line of readFileSync(this.#file, "utf8").split("\n")) {
        if (line === "") continue;
        try {
          spans.push(JSON.parse(line) as SpanRecord);
        } catch {
          // A line cut short by a crash: skip it.
        }
      }
      this.#keep(spans);
      this.#spansInFile = spans.length;
    }
  }

  /** Adds finished spans. */
  add(spans: readonly SpanRecord[]): void {
    if (spans.length === 0) return;
    const kept = this.#keep(spans);
    if (this.#file === undefined || kept.length === 0) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    appendFileSync(this.#file, kept.map((s) => `${JSON.stringify(s)}\n`).join(""));
    this.#spansInFile += kept.length;
    if (this.#spansInFile > 2 * this.#spansKept + 1000) this.#compact();
  }

  /** Traces matching `query`, newest first (at most `limit`, default 100). */
  list(query: TraceQuery = {}): TraceSummary[] {
    const out: TraceSummary[] = [];
    const limit = query.limit ?? 100;
    for (const spans of [...this.#traces.values()].reverse()) {
      const t = summarize(spans);
      if (query.minMs !== undefined && t.durationMs < query.minMs) continue;
      if (query.maxMs !== undefined && t.durationMs >= query.maxMs) continue;
      if (query.errors === true && t.status !== "error") continue;
      out.push(t);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The spans of one trace, by start time; undefined when the store has no such trace. */
  trace(traceId: string): SpanRecord[] | undefined {
    const spans = this.#traces.get(traceId);
    return spans === undefined ? undefined : [...spans].sort((a, b) => a.start - b.start);
  }

  /** Adds spans to memory within the bounds and returns those kept. */
  #keep(spans: readonly SpanRecord[]): SpanRecord[] {
    const kept: SpanRecord[] = [];
    for (const span of spans) {
      let trace = this.#traces.get(span.traceId);
      if (trace === undefined) {
        this.#traces.set(span.traceId, (trace = []));
        if (this.#traces.size > this.#maxTraces) {
          const [oldest, dropped] = this.#traces.entries().next().value as [string, SpanRecord[]];
          this.#traces.delete(oldest);
          this.#spansKept -= dropped.length;
        }
      }
      if (trace.length >= MAX_SPANS_PER_TRACE) continue;
      trace.push(span);
      kept.push(span);
      this.#spansKept++;
    }
    return kept;
  }

  #compact(): void {
    const file = this.#file as string;
    const lines = [...this.#traces.values()].flat().map((s) => `${JSON.stringify(s)}\n`);
    writeFileSync(`${file}.tmp`, lines.join(""));
    renameSync(`${file}.tmp`, file);
    this.#spansInFile = lines.length;
  }
}

/** Summarizes the spans of one trace. */
function summarize(spans: readonly SpanRecord[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => s.parentSpanId === "" || !ids.has(s.parentSpanId));
  const root = roots.reduce(
    (a, b) => ((b.parentSpanId === "" && a.parentSpanId !== "") || b.start < a.start ? b : a),
    roots[0] ?? spans[0]!,
  );
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  return {
    traceId: root.traceId,
    name: root.name,
    request: httpRequest(root),
    start,
    end,
    durationMs: (end - start) / 1000,
    status: spans.some((s) => s.status === "error") ? "error" : "ok",
    spans: spans.length,
    processes: new Set(spans.map((s) => s.resource.replica)).size,
  };
}

/** "GET /both" for a span of an HTTP request (OpenTelemetry's semantic attribute names), else "". */
function httpRequest(span: SpanRecord): string {
  const method = span.attributes["http.request.method"];
  const path = span.attributes["url.path"];
  return typeof method === "string" && typeof path === "string" ? `${method} ${path}` : "";
}
