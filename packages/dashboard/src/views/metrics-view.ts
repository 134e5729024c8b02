/**
 * The Metrics page: every metric of every replica, one table per metric as `weaver multi metrics`
 * prints them (app metrics first, then the framework's), with a filter on the metric names (a
 * case-insensitive regular expression in RE2 syntax, matched in linear time, or plain text when
 * it is not one). The page's script filters as one types, with the same engine.
 */
import { compileLinearRegex } from "@weaver/runtime";
import { metricTables } from "@weaver/runtime/tool";
import type { ReplicaMetrics, RunningDeployment } from "@weaver/runtime";
import { card, empty, escapeHtml } from "../html.js";
import { isMissing, pageDeployment, type View } from "./view.js";

/** What the metrics page shows. */
export interface MetricsData {
  readonly deployment: RunningDeployment;
  readonly replicas: readonly ReplicaMetrics[];
  readonly filter: string;
}

/** The metrics view. */
export const metricsView: View<MetricsData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    return { deployment, replicas: await ctx.data.metrics(deployment), filter: ctx.params.get("filter") ?? "" };
  },
  cards: (d) => ({ metrics: renderMetrics(d.replicas, d.filter) }),
  page: ({ deployment: { status: s, registration }, filter }, cards) => ({
    title: `Metrics · ${s.app} ${s.deployment.slice(0, 8)}`,
    deployer: registration.deployer,
    tabs: { id: s.deployment, app: s.app, active: "/metrics" },
    body:
      `<form class="metric-filter" method="get" action="/metrics"><input type="hidden" name="id" value="${escapeHtml(s.deployment)}">` +
      `<input type="search" id="metric-filter" name="filter" value="${escapeHtml(filter)}" placeholder="Filter metric names, e.g. method_count|http" aria-label="Filter metrics" spellcheck="false">` +
      `<span id="metric-shown" class="muted"></span></form>\n` +
      card("metrics", "Metrics", cards["metrics"]!, { note: "fresh from every replica" }),
  }),
};

/** The test of a metric name filter: a case-insensitive RE2 regular expression, or plain text when the filter is not one. */
function nameFilter(filter: string): (name: string) => boolean {
  if (filter === "") return () => true;
  try {
    const re = compileLinearRegex(filter, { ignoreCase: true });
    return (name) => re.test(name);
  } catch {
    return (name) => name.toLowerCase().includes(filter.toLowerCase());
  }
}

/** Renders one table per metric; the server filters as the script does, for pages without it. */
function renderMetrics(replicas: readonly ReplicaMetrics[], filter: string): string {
  const tables = metricTables(replicas);
  const matchesFilter = nameFilter(filter);
  if (tables.length === 0) return empty("No replica answered with metrics.");
  const sections = tables.map((t) => {
    const hidden = matchesFilter(t.name) ? "" : " hidden";
    const numeric = new Set(t.type === "histogram" ? [t.header.length - 2, t.header.length - 1] : [t.header.length - 1]);
    const cls = (i: number): string => (numeric.has(i) ? ` class="num"` : "");
    const head = t.header.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join("");
    const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
    return (
      `<section class="metric" data-metric="${escapeHtml(t.name)}"${hidden}><h3><code>${escapeHtml(t.name)}</code> <span class="badge">${t.type}</span> ` +
      `<span class="muted">${escapeHtml(t.help)}</span></h3>\n<table><thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></section>`
    );
  });
  return `${sections.join("\n")}\n<p class="empty" id="metric-none" hidden>No metric name matches the filter.</p>\n`;
}
