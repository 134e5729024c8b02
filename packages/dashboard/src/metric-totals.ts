/**
 * Metrics summed over replicas, and their recent history. A total is one row per metric and label
 * set: counters and gauges add up the replicas' values; a histogram adds up its sums and counts,
 * and shows their ratio (the average). Each row keeps the replicas it was summed from, for the
 * per-replica detail.
 *
 * MetricHistory keeps, in the dashboard process, a short history of every row of every deployment
 * whose metrics were read (one sample per read, at most one a second, for HISTORY_MS), so that a
 * row can show a small chart of the last minutes. Deployments not read for HISTORY_MS are dropped:
 * memory stays bounded by what is being watched.
 */
import type { ReplicaMetrics } from "@weaver/runtime";

/** How far back the history goes. */
export const HISTORY_MS = 5 * 60_000;
/** Samples closer together than this are one sample. */
const MIN_SAMPLE_GAP_MS = 900;

/** One replica's share of a total. */
export interface ReplicaValue {
  readonly replica: string;
  readonly value: number;
  /** Histogram only: its observations. */
  readonly count?: number;
}

/** One row: a metric's label set summed over replicas. */
export interface TotalRow {
  /** Identifies the row across reads: the metric name and label values. */
  readonly key: string;
  /** Label values, aligned with MetricTotal.labels. */
  readonly labels: readonly string[];
  /** The sum (for a histogram, of observed values). */
  readonly value: number;
  /** Histogram only: observations in all replicas. */
  readonly count?: number;
  readonly replicas: readonly ReplicaValue[];
}

/** One metric, summed over replicas. */
export interface MetricTotal {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly help: string;
  /** Label names, sorted. */
  readonly labels: readonly string[];
  readonly rows: readonly TotalRow[];
}

/** The value a row shows and charts: the total, or for a histogram the average observation. */
export function shownValue(m: Pick<MetricTotal, "type">, r: Pick<TotalRow, "value" | "count">): number {
  if (m.type !== "histogram") return r.value;
  return r.count === undefined || r.count === 0 ? 0 : r.value / r.count;
}

/** Whether a row is all zero: nothing counted, measured or observed. */
export function isZero(r: TotalRow): boolean {
  return r.value === 0 && (r.count ?? 0) === 0;
}

/** Sums every metric of `replicas` over replicas: app metrics first, then the framework's (weaver_*), by name; rows by label values. */
export function metricTotals(replicas: readonly ReplicaMetrics[]): MetricTotal[] {
  const metrics = new Map<string, { type: MetricTotal["type"]; help: string; labels: Set<string>; rows: Map<string, Row> }>();
  for (const r of replicas) {
    for (const m of r.metrics) {
      let metric = metrics.get(m.name);
      if (metric === undefined) metrics.set(m.name, (metric = { type: m.type, help: m.help, labels: new Set(), rows: new Map() }));
      for (const l of m.labels) metric.labels.add(l);
    }
  }
  for (const r of replicas) {
    for (const m of r.metrics) {
      const metric = metrics.get(m.name)!;
      const names = [...metric.labels].sort();
      for (const s of m.series) {
        const labels = names.map((n) => s.labels[m.labels.indexOf(n)] ?? "");
        const key = JSON.stringify([m.name, ...labels]);
        let row = metric.rows.get(key);
        if (row === undefined) metric.rows.set(key, (row = { key, labels, value: 0, replicas: [] }));
        const count = s.counts === undefined ? undefined : s.counts.reduce((a, b) => a + b, 0);
        row.value += s.value;
        if (count !== undefined) row.count = (row.count ?? 0) + count;
        row.replicas.push({ replica: r.replica, value: s.value, ...(count === undefined ? {} : { count }) });
      }
    }
  }
  const framework = (n: string): number => (n.startsWith("weaver_") ? 1 : 0);
  return [...metrics.entries()]
    .filter(([, m]) => m.rows.size > 0)
    .sort(([a], [b]) => framework(a) - framework(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => ({
      name,
      type: m.type,
      help: m.help,
      labels: [...m.labels].sort(),
      rows: [...m.rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    }));
}

interface Row {
  key: string;
  labels: string[];
  value: number;
  count?: number;
  replicas: ReplicaValue[];
}

/** One sample of a row: when (ms since the epoch) and its shown value. */
export interface Sample {
  readonly at: number;
  readonly value: number;
}

/** The recent history of the rows of each deployment's metrics. */
export class MetricHistory {
  readonly #deployments = new Map<string, { last: number; rows: Map<string, Sample[]> }>();

  /** Records a read of a deployment's totals at `now`. */
  record(deployment: string, totals: readonly MetricTotal[], now: number): void {
    for (const [id, d] of this.#deployments) if (now - d.last > HISTORY_MS) this.#deployments.delete(id);
    let d = this.#deployments.get(deployment);
    if (d === undefined) this.#deployments.set(deployment, (d = { last: 0, rows: new Map() }));
    if (now - d.last < MIN_SAMPLE_GAP_MS) return;
    d.last = now;
    const seen = new Set<string>();
    for (const m of totals) {
      for (const r of m.rows) {
        seen.add(r.key);
        let samples = d.rows.get(r.key);
        if (samples === undefined) d.rows.set(r.key, (samples = []));
        samples.push({ at: now, value: shownValue(m, r) });
        while (samples.length > 0 && now - samples[0]!.at > HISTORY_MS) samples.shift();
      }
    }
    // Rows that went away (a replica replaced, a label set dropped) take their history with them.
    for (const key of d.rows.keys()) if (!seen.has(key)) d.rows.delete(key);
  }

  /** The samples of one row, oldest first (none when it was never recorded). */
  samples(deployment: string, key: string): readonly Sample[] {
    return this.#deployments.get(deployment)?.rows.get(key) ?? [];
  }
}
