/**
 * Per-method statistics of a deployment, computed from periodic metric snapshots of its replicas
 * (the method metrics of method-metrics.ts), for the status server's GET /stats and the dashboard.
 *
 * Snapshots hold cumulative values since each replica process started. The processor remembers,
 * per replica, the values it saw last and turns every new snapshot into increases, which it adds
 * to the totals and to time buckets (5 s wide for the last minute, 1 min wide for the last hour;
 * older buckets are dropped, so memory stays bounded whatever the uptime). Two things make an
 * increase differ from a plain difference:
 *
 * - a replica seen for the first time (a new process) contributes everything it counted;
 * - a value lower than the one seen last means the replica's process started again (its counters
 *   restarted from zero): its new value is the increase.
 *
 * A replica that goes away keeps what it contributed to the totals and windows. One that has not
 * answered for FORGET_REPLICA_MS is forgotten (should it answer again, its values count again).
 *
 * Pure: the caller passes the time of every snapshot and report, so tests use a fake clock.
 */
import type { CallEdge, DeploymentStats, MethodStatsSummary, WindowStats } from "./deployment-stats.js";
import type { MetricSnapshot } from "./metrics.js";
import { compareComponents } from "../names.js";
import type { ReplicaMetrics } from "./prometheus.js";

/** How long a replica that does not answer is remembered. */
export const FORGET_REPLICA_MS = 10 * 60_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Bucket widths of the minute and hour windows. */
const FINE_MS = 5_000;
const COARSE_MS = MINUTE_MS;

/** Sums over some time for one method; latency in microseconds. */
class Sums {
  count = 0;
  errors = 0;
  latencySum = 0;
  latencyCount = 0;
  requestBytes = 0;
  replyBytes = 0;

  add(o: Sums): void {
    this.count += o.count;
    this.errors += o.errors;
    this.latencySum += o.latencySum;
    this.latencyCount += o.latencyCount;
    this.requestBytes += o.requestBytes;
    this.replyBytes += o.replyBytes;
  }

  stats(seconds: number): WindowStats {
    const s = Math.max(seconds, 1);
    return {
      count: this.count,
      errors: this.errors,
      latencyMs: this.latencyCount === 0 ? 0 : this.latencySum / this.latencyCount / 1000,
      requestKBps: this.requestBytes / 1024 / s,
      replyKBps: this.replyBytes / 1024 / s,
    };
  }
}

/** The sums a metric can feed. */
type Field = "count" | "errors" | "latencySum" | "latencyCount" | "requestBytes" | "replyBytes";

/** Which sums each method metric feeds: its value, and (histograms) its observation count. */
const FEEDS: Readonly<Record<string, { value: Field; count?: Field }>> = {
  weaver_method_count: { value: "count" },
  weaver_method_error_count: { value: "errors" },
  weaver_method_latency_micros: { value: "latencySum", count: "latencyCount" },
  weaver_method_bytes_request: { value: "requestBytes" },
  weaver_method_bytes_reply: { value: "replyBytes" },
};

/** The last values seen of one replica, by metric and label values. */
interface ReplicaState {
  seen: number;
  readonly last: Map<string, { value: number; count: number }>;
}

type Bucket = Map<string, Sums>;

/** Turns periodic snapshots of a deployment's replicas into per-method statistics. */
export class StatsProcessor {
  readonly #started: number;
  #updated = 0;
  readonly #replicas = new Map<string, ReplicaState>();
  readonly #total: Bucket = new Map();
  /** Buckets by start time; fine ones cover the last minute, coarse ones the last hour. */
  readonly #fine = new Map<number, Bucket>();
  readonly #coarse = new Map<number, Bucket>();
  readonly #edges = new Map<string, number>();

  /** `started`: when the deployment started, in ms since the epoch. */
  constructor(started: number) {
    this.#started = started;
  }

  /** Adds the snapshots of the replicas that answered at time `now` (ms since the epoch). */
  record(now: number, replicas: readonly ReplicaMetrics[]): void {
    const fine = bucketAt(this.#fine, now - (now % FINE_MS));
    const coarse = bucketAt(this.#coarse, now - (now % COARSE_MS));
    for (const r of replicas) {
      let state = this.#replicas.get(r.replica);
      if (state === undefined) this.#replicas.set(r.replica, (state = { seen: now, last: new Map() }));
      state.seen = now;
      for (const m of r.metrics) this.#add(state, m, [this.#total, fine, coarse]);
    }
    for (const [id, state] of this.#replicas) if (state.seen <= now - FORGET_REPLICA_MS) this.#replicas.delete(id);
    for (const start of this.#fine.keys()) if (start <= now - MINUTE_MS) this.#fine.delete(start);
    for (const start of this.#coarse.keys()) if (start <= now - HOUR_MS) this.#coarse.delete(start);
    this.#updated = Math.max(this.#updated, now);
  }

  /** The statistics at time `now`. */
  report(now: number): DeploymentStats {
    const up = now - this.#started;
    const minute = sumSince(this.#fine, now - MINUTE_MS);
    const hour = sumSince(this.#coarse, now - HOUR_MS);
    const methods = [...this.#total]
      .map(([key, total]): MethodStatsSummary => {
        const [component, method] = key.split("\u0000") as [string, string];
        const stats = (b: Bucket, span: number): WindowStats => (b.get(key) ?? new Sums()).stats(Math.min(span, up) / 1000);
        return { component, method, minute: stats(minute, MINUTE_MS), hour: stats(hour, HOUR_MS), total: total.stats(up / 1000) };
      })
      .sort((a, b) => compareComponents(a.component, b.component) || compare(a.method, b.method));
    const calls = [...this.#edges]
      .map(([key, count]): CallEdge => {
        const [caller, callee] = key.split("\u0000") as [string, string];
        return { caller, callee, count };
      })
      .sort((a, b) => compareComponents(a.caller, b.caller) || compareComponents(a.callee, b.callee));
    return { started: this.#started, updated: this.#updated, methods, calls };
  }

  /** Adds the increases of one metric of one replica to `buckets` (and the call graph). */
  #add(state: ReplicaState, m: MetricSnapshot, buckets: readonly Bucket[]): void {
    const feed = FEEDS[m.name];
    if (feed === undefined) return;
    const caller = m.labels.indexOf("caller");
    const component = m.labels.indexOf("component");
    const method = m.labels.indexOf("method");
    if (component < 0 || method < 0) return;
    for (const s of m.series) {
      const key = `${m.name}\u0000${s.labels.join("\u0000")}`;
      const value = s.value;
      const count = s.counts === undefined ? 0 : s.counts.reduce((a, b) => a + b, 0);
      const prev = state.last.get(key);
      state.last.set(key, { value, count });
      // A histogram's observation count, a counter's value: lower than before means a new process.
      const restarted = prev === undefined || (feed.count === undefined ? value < prev.value : count < prev.count);
      const dValue = restarted ? value : value - prev.value;
      const dCount = restarted ? count : count - prev.count;
      if (dValue === 0 && dCount === 0) continue;
      const at = `${s.labels[component]}\u0000${s.labels[method]}`;
      for (const bucket of buckets) {
        let sums = bucket.get(at);
        if (sums === undefined) bucket.set(at, (sums = new Sums()));
        sums[feed.value] += dValue;
        if (feed.count !== undefined) sums[feed.count] += dCount;
      }
      const from = caller < 0 ? "" : (s.labels[caller] ?? "");
      if (feed.value === "count" && from !== "") {
        const edge = `${from}\u0000${s.labels[component]}`;
        this.#edges.set(edge, (this.#edges.get(edge) ?? 0) + dValue);
      }
    }
  }
}

function bucketAt(buckets: Map<number, Bucket>, start: number): Bucket {
  let b = buckets.get(start);
  if (b === undefined) buckets.set(start, (b = new Map()));
  return b;
}

/** The sums of the buckets that start after `since`. */
function sumSince(buckets: Map<number, Bucket>, since: number): Bucket {
  const out: Bucket = new Map();
  for (const [start, bucket] of buckets) {
    if (start <= since) continue;
    for (const [key, sums] of bucket) {
      let o = out.get(key);
      if (o === undefined) out.set(key, (o = new Sums()));
      o.add(sums);
    }
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
