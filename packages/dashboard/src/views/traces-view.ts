/**
 * The Traces page: the deployment's stored traces, newest first, by latency bucket (as Service
 * Weaver's: 0-1ms, 1-10ms, ... 1-10s) or failed ones only; each opens as a waterfall (trace-view).
 */
import type { RunningDeployment, TraceSummary } from "@weaver/runtime";
import { formatMs } from "../format.js";
import { card, clock, empty, escapeHtml, raw, table } from "../html.js";
import { isMissing, pageDeployment, type View } from "./view.js";

/** The buckets: name, and the /traces query that selects them. */
const TRACE_BUCKETS: readonly (readonly [name: string, query: string])[] = [
  ["all", ""],
  ["0-1ms", "min_ms=0&max_ms=1"],
  ["1-10ms", "min_ms=1&max_ms=10"],
  ["10-100ms", "min_ms=10&max_ms=100"],
  ["100ms-1s", "min_ms=100&max_ms=1000"],
  ["1-10s", "min_ms=1000&max_ms=10000"],
  ["errors", "errors=1"],
];

/** Traces a page lists. */
const LIST_LIMIT = 100;

/** What the traces page shows. */
export interface TracesData {
  readonly deployment: RunningDeployment;
  readonly bucket: string;
  readonly traces: readonly TraceSummary[];
}

/** The traces view. */
export const tracesView: View<TracesData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    const [bucket, query] = TRACE_BUCKETS.find(([name]) => name === ctx.params.get("bucket")) ?? TRACE_BUCKETS[0]!;
    return { deployment, bucket, traces: await ctx.data.traces(deployment, `${query}&limit=${LIST_LIMIT}`) };
  },
  cards: (d) => ({ traces: tracesTable(d) }),
  page: ({ deployment: { status: s, registration }, bucket }, cards) => {
    const links = TRACE_BUCKETS.map(
      ([name]) =>
        `<a href="/traces?id=${escapeHtml(encodeURIComponent(s.deployment))}&amp;bucket=${encodeURIComponent(name)}"${name === bucket ? ` class="active" aria-current="true"` : ""}>${name}</a>`,
    ).join("");
    return {
      title: `Traces · ${s.app} ${s.deployment.slice(0, 8)}`,
      deployer: registration.deployer,
      tabs: { id: s.deployment, app: s.app, active: "/traces" },
      body:
        `<nav class="buckets" aria-label="Latency">${links}</nav>\n` +
        card("traces", "Traces", cards["traces"]!, { note: `at most ${LIST_LIMIT}, newest first` }),
    };
  },
};

function tracesTable({ deployment: { status: s }, bucket, traces }: TracesData): string {
  if (traces.length === 0) {
    const sampling = (s.config["serviceweaver"] as { traces_per_second?: unknown } | undefined)?.traces_per_second;
    const rate = typeof sampling === "number" ? sampling : 1;
    if (rate === 0)
      return empty("No traces: tracing is off (traces_per_second = 0 in [serviceweaver]); set it above 0 to sample requests.");
    const which = bucket === "all" ? "No traces yet" : bucket === "errors" ? "No failed traces yet" : `No traces in ${bucket} yet`;
    return empty(
      `${which}: tracing samples about ${rate} request${rate === 1 ? "" : "s"} per second (traces_per_second in [serviceweaver]); send some requests to the app's listeners.`,
    );
  }
  const rows = traces.map((t) => [
    raw(
      `<a class="trace-link" href="/trace?id=${escapeHtml(encodeURIComponent(s.deployment))}&amp;trace=${escapeHtml(encodeURIComponent(t.traceId))}">` +
        `${escapeHtml(t.name)}${t.request === "" ? "" : ` <code>${escapeHtml(t.request)}</code>`}</a> <code class="muted">${escapeHtml(t.traceId.slice(0, 8))}</code>`,
    ),
    clock(t.start),
    raw(`<span title="${t.durationMs} ms">${escapeHtml(formatMs(t.durationMs))}</span>`),
    t.spans,
    t.processes,
    raw(`<span class="badge ${t.status === "error" ? "bad" : "good"}">${t.status}</span>`),
  ]);
  return table(["Trace", "Start", "Latency", "Spans", "Processes", "Status"], rows, new Set([2, 3, 4]));
}
