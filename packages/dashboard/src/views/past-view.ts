/**
 * The page of a deployment that ended: what its files tell (app, deployer, when it started and
 * when it last wrote), its stored log entries (the newest, matching a query) and its stored
 * traces, each of which opens as a waterfall. Every page of a deployment (/deployment, /logs,
 * /traces, /trace, /metrics) shows this one once the deployment no longer runs (orPast), so a
 * link kept from when it ran still leads somewhere. Nothing on it changes: it is not live.
 */
import { compileLogQuery, type LogEntry, type SpanRecord, type StoredDeployment, type TraceSummary } from "@weaver/runtime";
import { deploymentCommands } from "./deployment-view.js";
import { formatMs } from "../format.js";
import { age, card, clock, copyable, empty, escapeHtml, raw, table } from "../html.js";
import { INITIAL_ENTRIES, logRow } from "./logs-view.js";
import { renderWaterfall } from "./trace-view.js";
import { isMissing, type View, type ViewContext } from "./view.js";

/** Traces the page lists. */
const TRACES_LISTED = 100;

/** What the page of an ended deployment shows. */
export interface PastData {
  readonly past: StoredDeployment;
  readonly now: number;
  readonly query: string;
  /** The newest matching entries, or why the query was refused. */
  readonly logs: readonly LogEntry[] | { readonly error: string };
  readonly traces: readonly TraceSummary[];
  /** The trace the page opens (the `trace` parameter), when it names one. */
  readonly trace?: { readonly id: string; readonly spans: readonly SpanRecord[] };
}

/** Whether a view's data is that of an ended deployment. */
export function isPast(d: unknown): d is PastData {
  return typeof d === "object" && d !== null && "past" in d;
}

/** `view`, showing the page of an ended deployment when its `id` names no running one but an ended one. */
export function orPast<T>(view: View<T>): View<T | PastData> {
  return {
    async load(ctx) {
      const loaded = await view.load(ctx);
      if (!isMissing(loaded)) return loaded;
      const past = await ctx.data.pastDeployment(ctx.params.get("id") ?? "");
      return past === undefined ? loaded : loadPast(past, ctx);
    },
    cards: (d, ctx) => (isPast(d) ? {} : view.cards(d, ctx)),
    page: (d, cards, ctx) => (isPast(d) ? pastPage(d) : view.page(d, cards, ctx)),
    ...(view.stream === undefined
      ? {}
      : { stream: (d, ctx, send, signal) => (isPast(d) ? Promise.resolve() : view.stream!(d as T, ctx, send, signal)) }),
    ended: (d) => (isPast(d) ? `This deployment ended; the page shows what it stored.` : undefined),
  };
}

async function loadPast(past: StoredDeployment, ctx: ViewContext): Promise<PastData | { missing: string }> {
  const query = ctx.params.get("q") ?? "";
  let logs: PastData["logs"];
  try {
    logs = ctx.data.storedLogs(past, compileLogQuery(query), INITIAL_ENTRIES);
  } catch (e) {
    logs = { error: (e as Error).message };
  }
  const stored = ctx.data.storedTraces(past);
  const traceId = ctx.params.get("trace");
  const base = { past, now: Date.now(), query, logs, traces: stored.list({ limit: TRACES_LISTED }) };
  if (traceId === null) return base;
  const spans = stored.trace(traceId);
  if (spans === undefined) return { missing: `Deployment ${past.deployment.slice(0, 8)} stored no trace "${traceId}".` };
  return { ...base, trace: { id: traceId, spans } };
}

function pastPage(d: PastData): ReturnType<View<PastData>["page"]> {
  const { past: p } = d;
  const home = `/deployment?id=${escapeHtml(encodeURIComponent(p.deployment))}`;
  const body =
    `<p class="banner ended" role="status">This deployment has ended: it last wrote ${new Date(p.lastWrite).toISOString()} ` +
    `(${age(p.lastWrite, d.now).html} ago). Its stored logs and traces are below until <code>weaver ${escapeHtml(p.deployer)} purge</code> deletes them.</p>\n` +
    card("summary", "Summary", summary(d)) +
    (d.trace === undefined
      ? card("logs", "Logs", logs(d, home), { note: `the newest ${INITIAL_ENTRIES} matching entries` }) +
        card("traces", "Traces", traces(d), { note: `at most ${TRACES_LISTED}, newest first` })
      : `<p><a href="${home}">← ${escapeHtml(p.app)} ${escapeHtml(p.deployment.slice(0, 8))}</a></p>\n` +
        card(
          "waterfall",
          `Trace ${d.trace.spans.find((x) => x.parentSpanId === "")?.name ?? ""}`,
          renderWaterfall(d.trace.spans, { groups: [] }),
          {
            note: d.trace.id,
          },
        ));
  return { title: `${p.app} ${p.deployment.slice(0, 8)} (ended)`, deployer: p.deployer, body };
}

function summary({ past: p, now }: PastData): string {
  const rows: [string, string][] = [
    ["App", escapeHtml(p.app)],
    ["Deployment", `<code>${escapeHtml(p.deployment)}</code>`],
    ["Deployer", escapeHtml(p.deployer)],
    ["Started", `${escapeHtml(new Date(p.started).toISOString())}`],
    ["Ended", `${escapeHtml(new Date(p.lastWrite).toISOString())} (${age(p.lastWrite, now).html} ago, its last write)`],
    ["State", `<span class="badge">ended</span>`],
    ["Logs", copyable(deploymentCommands(p.deployer, p.deployment)[1]![1]).html],
  ];
  return `<table class="summary">\n<tbody>\n${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("\n")}\n</tbody>\n</table>\n`;
}

function logs({ past: p, query, logs: entries }: PastData, home: string): string {
  const form =
    `<form class="log-query" method="get" action="/deployment"><input type="hidden" name="id" value="${escapeHtml(p.deployment)}">` +
    `<input type="search" name="q" value="${escapeHtml(query)}" placeholder='level == "error"' aria-label="Log query" spellcheck="false">` +
    `<button type="submit">Apply</button>${query === "" ? "" : ` <a href="${home}">all entries</a>`}</form>\n`;
  if (!Array.isArray(entries)) return form + `<p class="error" role="alert">${escapeHtml((entries as { error: string }).error)}</p>\n`;
  if (entries.length === 0) return form + empty(`No stored log entries${query === "" ? "" : " match this query"}.`);
  const list = entries as readonly LogEntry[];
  return (
    form +
    `<div class="log-scroll" id="log-scroll"><table class="logs"><thead><tr><th>Time</th><th>Level</th><th>Component</th><th>Replica</th><th>Source</th><th>Message</th></tr></thead>` +
    `<tbody id="log-rows">\n${list.map(logRow).join("\n")}\n</tbody></table></div>\n`
  );
}

function traces({ past: p, traces: list }: PastData): string {
  if (list.length === 0) return empty("This deployment stored no traces.");
  const rows = list.map((t) => [
    raw(
      `<a class="trace-link" href="/trace?id=${escapeHtml(encodeURIComponent(p.deployment))}&amp;trace=${escapeHtml(encodeURIComponent(t.traceId))}">` +
        `${escapeHtml(t.name)}${t.request === "" ? "" : ` <code>${escapeHtml(t.request)}</code>`}</a> <code class="muted">${escapeHtml(t.traceId.slice(0, 8))}</code>`,
    ),
    clock(t.start),
    formatMs(t.durationMs),
    t.spans,
    t.processes,
    raw(`<span class="badge ${t.status === "error" ? "bad" : "good"}">${t.status}</span>`),
  ]);
  return table(["Trace", "Start", "Latency", "Spans", "Processes", "Status"], rows, new Set([2, 3, 4]));
}
