/**
 * The page of one trace: its spans as a waterfall across the processes they ran in. Each row is a
 * span, indented under its parent, with a bar placed on the trace's time line and coloured by
 * process; a row opens to the span's attributes, events and status. The bars are SVG rectangles
 * positioned by attributes, so the page needs no inline style and no viewer from elsewhere.
 */
import type { DeploymentStatus, RunningDeployment, SpanRecord } from "@weaver/runtime";
import { formatMicros } from "../format.js";
import { card, clock, escapeHtml } from "../html.js";
import { isMissing, pageDeployment, type View } from "./view.js";

/** Process colours (proc-0..proc-9 in the stylesheet) and indentation levels (depth-0..depth-12). */
const PROCESS_COLOURS = 10;
const MAX_DEPTH = 12;

/** What the trace page shows. */
export interface TraceData {
  readonly deployment: RunningDeployment;
  readonly traceId: string;
  readonly spans: readonly SpanRecord[];
}

/** The trace view. */
export const traceView: View<TraceData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    const traceId = ctx.params.get("trace") ?? "";
    const spans = await ctx.data.trace(deployment, traceId);
    if (spans === undefined) {
      return {
        missing: `Deployment ${deployment.status.deployment.slice(0, 8)} has no trace "${traceId}": it keeps its newest traces only; the Traces tab lists them.`,
      };
    }
    return { deployment, traceId, spans };
  },
  cards: ({ deployment, spans }) => ({ waterfall: renderWaterfall(spans, deployment.status) }),
  page: ({ deployment: { status: s, registration }, traceId, spans }, cards) => {
    const root = spans.find((x) => x.parentSpanId === "") ?? spans[0];
    return {
      title: `Trace ${traceId.slice(0, 8)} · ${s.app}`,
      deployer: registration.deployer,
      tabs: { id: s.deployment, app: s.app, active: "/traces" },
      body: card("waterfall", `Trace ${root?.name ?? ""}`, cards["waterfall"]!, { note: traceId }),
    };
  },
};

/** One span placed in the waterfall. */
interface Row {
  readonly span: SpanRecord;
  readonly depth: number;
}

/** Renders the spans of a trace as a waterfall; `status` names the processes' groups (none for an ended deployment). */
export function renderWaterfall(spans: readonly SpanRecord[], status: Pick<DeploymentStatus, "groups">): string {
  const rows = order(spans);
  const start = Math.min(...spans.map((x) => x.start));
  const end = Math.max(...spans.map((x) => x.end));
  const total = Math.max(end - start, 1);
  // Processes in the order the waterfall meets them: the root's gets the first colour.
  const processes = [...new Set(rows.map((r) => r.span.resource.replica))];
  const groupOf = new Map(status.groups.flatMap((g) => g.replicas.map((r) => [r.id, g.name] as const)));
  const processLabel = (x: SpanRecord): string =>
    `${groupOf.get(x.resource.replica) ?? "process"} ${x.resource.replica.slice(0, 8)} (pid ${x.resource.pid})`;
  const failed = spans.filter((x) => x.status === "error").length;

  const facts =
    `<p class="muted">Started ${clock(start)}, took ${ms(total)}; ${spans.length} span${spans.length === 1 ? "" : "s"} in ` +
    `${processes.length} process${processes.length === 1 ? "" : "es"}${failed > 0 ? `, <span class="badge bad">${failed} failed</span>` : ""}.</p>\n`;
  const legend = `<ul class="legend">${processes
    .map((p, i) => {
      const x = spans.find((s) => s.resource.replica === p)!;
      return `<li><svg width="12" height="12" aria-hidden="true"><rect class="proc-${i % PROCESS_COLOURS}" width="12" height="12" rx="2"/></svg>${escapeHtml(processLabel(x))}</li>`;
    })
    .join("")}</ul>\n`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<span>${ms(total * f)}</span>`).join("");
  const head = `<div class="wf-head"><span>Span</span><span>Kind</span><span>Process</span><span class="wf-axis">${ticks}</span><span class="num">Duration</span></div>\n`;
  const body = rows.map(({ span: x, depth }) => {
    const proc = processes.indexOf(x.resource.replica) % PROCESS_COLOURS;
    const left = ((x.start - start) / total) * 1000;
    const width = Math.max(((x.end - x.start) / total) * 1000, 2);
    return (
      `<details class="span depth-${Math.min(depth, MAX_DEPTH)}${x.status === "error" ? " failed" : ""}" data-span="${escapeHtml(x.spanId)}">` +
      `<summary><span class="span-name" title="${escapeHtml(x.name)}">${escapeHtml(x.name)}</span><span class="span-kind">${x.kind}</span>` +
      `<span class="span-proc">${escapeHtml(processLabel(x))}</span>` +
      `<svg class="bar" viewBox="0 0 1000 14" preserveAspectRatio="none" aria-hidden="true"><rect class="proc-${proc}" x="${left.toFixed(1)}" y="1" width="${width.toFixed(1)}" height="12" rx="2"/></svg>` +
      `<span class="num">${ms(x.end - x.start)}</span></summary>\n${details(x, start)}</details>`
    );
  });
  return facts + legend + `<div class="waterfall">\n${head}${body.join("\n")}\n</div>\n`;
}

/** Spans depth first, children by start time; spans whose parent is missing count as roots. */
function order(spans: readonly SpanRecord[]): Row[] {
  const ids = new Set(spans.map((x) => x.spanId));
  const children = new Map<string, SpanRecord[]>();
  for (const x of spans) {
    const parent = ids.has(x.parentSpanId) ? x.parentSpanId : "";
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(x);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const out: Row[] = [];
  const visit = (parent: string, depth: number): void => {
    for (const x of children.get(parent) ?? []) {
      out.push({ span: x, depth });
      if (x.spanId !== parent) visit(x.spanId, depth + 1);
    }
  };
  visit("", 0);
  return out;
}

function details(x: SpanRecord, traceStart: number): string {
  const rows: [string, string][] = [
    ["span id", x.spanId],
    ["parent", x.parentSpanId === "" ? "(root)" : x.parentSpanId],
    ["status", x.statusMessage === undefined ? x.status : `${x.status}: ${x.statusMessage}`],
    ["start", `${clock(x.start)} (+${ms(x.start - traceStart)} into the trace)`],
    ...Object.keys(x.attributes)
      .sort()
      .map((k): [string, string] => [k, JSON.stringify(x.attributes[k])]),
    ...x.events.map((e): [string, string] => [
      `event at ${clock(e.time)}`,
      `${e.name}${Object.keys(e.attributes).length > 0 ? ` ${JSON.stringify(e.attributes)}` : ""}`,
    ]),
  ];
  return `<table class="span-detail"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`).join("")}</tbody></table>`;
}

/** Microseconds for reading: "845 µs", "1.23 ms". */
function ms(micros: number): string {
  return formatMicros(micros);
}
