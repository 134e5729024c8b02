/**
 * The Metrics page: every metric of the deployment, one table per metric (app metrics first, then
 * the framework's), one row per label set summed over the replicas, with a small chart of the last
 * minutes and the per-replica values on demand. Rows that are all zero (nothing counted yet) are
 * hidden behind a toggle that says how many there are. A filter on the metric names (a
 * case-insensitive regular expression in RE2 syntax, matched in linear time, or plain text when
 * it is not one) narrows the tables; the page's script filters as one types, with the same engine.
 */
import { compileLinearRegex, shortName } from "@weaver/runtime";
import type { ReplicaMetrics, RunningDeployment } from "@weaver/runtime";
import { card, empty, escapeHtml } from "../html.js";
import { HISTORY_MS, isZero, metricTotals, shownValue, type MetricTotal, type TotalRow } from "../metric-totals.js";
import { sparkline } from "./sparkline.js";
import { isMissing, pageDeployment, type View, type ViewContext } from "./view.js";

/** What the metrics page shows. */
export interface MetricsData {
  readonly deployment: RunningDeployment;
  readonly replicas: readonly ReplicaMetrics[];
  readonly filter: string;
  /** Whether all-zero rows are shown (the `zeros=1` parameter; the page's toggle without a reload). */
  readonly zeros: boolean;
  readonly now: number;
}

/** The metrics view. */
export const metricsView: View<MetricsData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    const replicas = await ctx.data.metrics(deployment);
    const now = Date.now();
    ctx.data.history.record(deployment.status.deployment, metricTotals(replicas), now);
    return { deployment, replicas, filter: ctx.params.get("filter") ?? "", zeros: ctx.params.get("zeros") === "1", now };
  },
  cards: (d, ctx) => ({ metrics: renderMetrics(d, ctx) }),
  page: ({ deployment: { status: s, registration }, filter, zeros }, cards) => ({
    title: `Metrics · ${s.app} ${s.deployment.slice(0, 8)}`,
    deployer: registration.deployer,
    tabs: { id: s.deployment, app: s.app, active: "/metrics" },
    body:
      `<form class="metric-filter" method="get" action="/metrics"><input type="hidden" name="id" value="${escapeHtml(s.deployment)}">` +
      `<input type="search" id="metric-filter" name="filter" value="${escapeHtml(filter)}" placeholder="Filter metric names, e.g. method_count|http" aria-label="Filter metrics" spellcheck="false">` +
      `<label class="zeros"><input type="checkbox" id="metric-zeros" name="zeros" value="1"${zeros ? " checked" : ""}> <span id="metric-zeros-label">Show all-zero rows</span></label>` +
      `<span id="metric-shown" class="muted"></span></form>\n` +
      `<div id="metrics-wrap" class="metrics-wrap${zeros ? " show-zeros" : ""}">` +
      card("metrics", "Metrics", cards["metrics"]!, {
        note: `totals over replicas, fresh every second; charts of the last ${HISTORY_MS / 60_000} minutes`,
      }) +
      `</div>\n`,
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
function renderMetrics(d: MetricsData, ctx: ViewContext): string {
  const totals = metricTotals(d.replicas);
  if (totals.length === 0) return empty("No replica answered with metrics.");
  const matchesFilter = nameFilter(d.filter);
  const zeroRows = totals.reduce((n, m) => n + m.rows.filter(isZero).length, 0);
  const sections = totals.map((m) => {
    const hidden = matchesFilter(m.name) ? "" : " hidden";
    const allZero = m.rows.every(isZero) ? " zero" : "";
    const values = m.type === "histogram" ? ["Average", "Count"] : ["Value"];
    const head =
      m.labels.map((l) => `<th>${escapeHtml(l)}</th>`).join("") +
      values.map((v) => `<th class="num">${v}</th>`).join("") +
      `<th>Last ${HISTORY_MS / 60_000} min</th><th>Replicas</th>`;
    const rows = m.rows.map((r) => row(m, r, d, ctx)).join("\n");
    return (
      `<section class="metric${allZero}" data-metric="${escapeHtml(m.name)}"${hidden}><h3><code>${escapeHtml(m.name)}</code> <span class="badge">${m.type}</span> ` +
      `<span class="muted">${escapeHtml(m.help)}</span></h3>\n<table><thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></section>`
    );
  });
  return (
    `<p class="muted" id="metric-zero-count" data-zero-rows="${zeroRows}"${zeroRows === 0 ? " hidden" : ""}>` +
    `${zeroRows} all-zero row${zeroRows === 1 ? "" : "s"} hidden (nothing counted yet).</p>\n${sections.join("\n")}\n<p class="empty" id="metric-none" hidden>No metric name matches the filter.</p>\n`
  );
}

/** One row: its labels, its total, its chart, and its replicas' values in a <details>. */
function row(m: MetricTotal, r: TotalRow, d: MetricsData, ctx: ViewContext): string {
  const labels = r.labels.map((v, i) => `<td>${label(m.labels[i]!, v)}</td>`).join("");
  const values = m.type === "histogram" ? [number(shownValue(m, r)), String(r.count ?? 0)] : [number(r.value)];
  const samples = ctx.data.history.samples(d.deployment.status.deployment, r.key);
  const replicas =
    `<details class="replicas" data-key="${escapeHtml(r.key)}"><summary>${r.replicas.length} replica${r.replicas.length === 1 ? "" : "s"}</summary>` +
    `<table class="per-replica"><tbody>${r.replicas
      .map(
        (x) =>
          `<tr><td><code>${escapeHtml(x.replica.slice(0, 8))}</code></td><td class="num">${number(x.count === undefined ? x.value : x.count === 0 ? 0 : x.value / x.count)}</td>` +
          `${x.count === undefined ? "" : `<td class="num">${x.count}</td>`}</tr>`,
      )
      .join("")}</tbody></table></details>`;
  return (
    `<tr${isZero(r) ? ` class="zero"` : ""}>${labels}${values.map((v) => `<td class="num">${v}</td>`).join("")}` +
    `<td>${sparkline(samples, d.now, `${m.name} over the last ${HISTORY_MS / 60_000} minutes`)}</td><td>${replicas}</td></tr>`
  );
}

/** A label value as shown: component names short (shop.Cart), with the full name as the tooltip. */
function label(name: string, value: string): string {
  if ((name === "component" || name === "caller") && value.includes("/"))
    return `<code title="${escapeHtml(value)}">${escapeHtml(shortName(value))}</code>`;
  return escapeHtml(value);
}

/** Integers as they are; other numbers with three significant digits. */
function number(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}
