/**
 * The tables of `weaver <deployer> metrics`, laid out as Service Weaver prints them: one table per
 * metric, app metrics first, then the framework's (weaver_*), each by name. A table's title is the
 * metric's help as a `// comment` and `<name>: <TYPE>`; its columns are the metric's label names
 * (sorted), then app, deployment and replica (ids shortened to 8 characters), then `Value`, or for
 * a histogram `Average` (sum / count) and `Count`. Rows are sorted by their cells. In weaver_*
 * metrics, component names (labels component and caller) are shown short: reverser.Reverser.
 */
import { renderTable } from "../output/table.js";
import { shortName } from "../names.js";
import type { MetricSnapshot } from "../metrics/metrics.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";

/** One series of one replica, as a table row is made from it. */
interface Row {
  readonly cells: readonly string[];
  readonly value: number;
  readonly counts: readonly number[] | undefined;
}

/** One metric's table: its name, type and help, the column names and the rows' cells. */
export interface MetricTable {
  readonly name: string;
  readonly type: MetricSnapshot["type"];
  readonly help: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The tables of the metrics whose names `match` accepts (every metric by default), in display order. */
export function metricTables(replicas: readonly ReplicaMetrics[], match: (name: string) => boolean = () => true): MetricTable[] {
  const families = new Map<string, { meta: MetricSnapshot; keys: Set<string>; series: { r: ReplicaMetrics; m: MetricSnapshot }[] }>();
  for (const r of replicas) {
    for (const m of r.metrics) {
      if (!match(m.name) || m.series.length === 0) continue;
      let f = families.get(m.name);
      if (f === undefined) families.set(m.name, (f = { meta: m, keys: new Set(), series: [] }));
      for (const l of m.labels) f.keys.add(l);
      f.series.push({ r, m });
    }
  }
  const names = [...families.keys()].sort((a, b) => framework(a) - framework(b) || (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const { meta, keys, series } = families.get(name)!;
    const labels = [...keys].sort();
    const rows: Row[] = series.flatMap(({ r, m }) =>
      m.series.map((s) => ({
        cells: [
          ...labels.map((k) => shown(name, k, s.labels[m.labels.indexOf(k)] ?? "")),
          r.app,
          r.deployment.slice(0, 8),
          r.replica.slice(0, 8),
        ],
        value: s.value,
        counts: s.counts,
      })),
    );
    rows.sort((a, b) => compareCells(a.cells, b.cells));
    const histogram = meta.type === "histogram";
    const header = [...labels, "app", "deployment", "replica", ...(histogram ? ["Average", "Count"] : ["Value"])];
    const body = rows.map((row) => {
      if (!histogram) return [...row.cells, formatNumber(row.value)];
      const count = (row.counts ?? []).reduce((a, b) => a + b, 0);
      return [...row.cells, formatNumber(count === 0 ? 0 : row.value / count), String(count)];
    });
    return { name, type: meta.type, help: meta.help, header, rows: body };
  });
}

/** Renders the tables of the metrics whose names `match` accepts (every metric by default). */
export function formatMetricsTables(
  replicas: readonly ReplicaMetrics[],
  match: (name: string) => boolean = () => true,
  color = false,
): string {
  return metricTables(replicas, match)
    .map((t) => renderTable([`// ${t.help}`, `${t.name}: ${t.type.toUpperCase()}`], t.header, t.rows, color))
    .join("");
}

/** App metrics sort before the framework's. */
function framework(name: string): number {
  return name.startsWith("weaver_") ? 1 : 0;
}

/** A label value as shown: component names in the framework's metrics are shortened. */
function shown(metric: string, label: string, value: string): string {
  return framework(metric) === 1 && (label === "component" || label === "caller") ? shortName(value) : value;
}

function compareCells(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Integers as they are; other numbers with at most 3 decimals (or 3 significant digits when tiny). */
function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  if (Math.abs(v) < 0.001) return v.toPrecision(3);
  return String(Number(v.toFixed(3)));
}
