/**
 * The Methods card of a deployment page, laid out as Service Weaver's: per component method, the
 * call count, mean latency (rounded for reading: 1.23 ms) and request and reply throughput over the last minute, the last hour
 * and since the deployment started.
 */
import type { DeploymentStats, WindowStats } from "@weaver/runtime";
import { formatMs, componentName } from "../format.js";
import { empty, escapeHtml } from "../html.js";

const WINDOWS = ["minute", "hour", "total"] as const;
const COLUMNS: readonly { readonly title: string; readonly value: (w: WindowStats) => string }[] = [
  { title: "Count", value: (w) => String(w.count) },
  { title: "Mean latency", value: (w) => (w.count === 0 ? "-" : formatMs(w.latencyMs)) },
  { title: "Request KB/s", value: (w) => w.requestKBps.toFixed(2) },
  { title: "Reply KB/s", value: (w) => w.replyKBps.toFixed(2) },
];

/** Renders the methods table of a deployment's statistics (null when they could not be read). */
export function renderMethodsTable(stats: DeploymentStats | null): string {
  if (stats === null) return empty("The statistics of this deployment could not be read.");
  if (stats.methods.length === 0) return empty("No method has been called yet.");
  const group = COLUMNS.map((c) => `<th class="num" colspan="3">${escapeHtml(c.title)}</th>`).join("");
  const windows = COLUMNS.map(() => `<th class="num">Min.</th><th class="num">Hr.</th><th class="num">All</th>`).join("");
  const rows = stats.methods.map((m) => {
    const cells = COLUMNS.flatMap((c) => WINDOWS.map((w) => `<td class="num">${escapeHtml(c.value(m[w]))}</td>`));
    return `<tr><td>${componentName(m.component).html}</td><td><code>${escapeHtml(m.method)}</code></td>${cells.join("")}</tr>`;
  });
  return (
    `<table>\n<thead><tr><th rowspan="2">Component</th><th rowspan="2">Method</th>${group}</tr>\n<tr>${windows}</tr></thead>\n` +
    `<tbody>\n${rows.join("\n")}\n</tbody>\n</table>\n`
  );
}
