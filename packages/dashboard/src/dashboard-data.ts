/**
 * Where the dashboard's data comes from: the registry of running deployments, of every deployer
 * (listDeployments, which also asks each deployment's status server for its status), and, for one
 * deployment, its status server (StatusClient).
 *
 * Deployments that ended are known by their stored logs and traces (listStoredDeployments); the
 * traces of one are read from its file once per change of the file.
 *
 * Answers are kept for CACHE_MS, so that several pages open on one deployment, each refreshing
 * every second, ask each status server once per refresh rather than once per page.
 */
import {
  StatusClient,
  listDeployments,
  listStoredDeployments,
  readStoredLogs,
  readStoredTraces,
  type LogEntry,
  type StoredDeployment,
  type StoredTraces,
  type DeploymentStats,
  type LogsOptions,
  type LogsReply,
  type ReplicaMetrics,
  type RunningDeployment,
  type SpanRecord,
  type TraceSummary,
  type UnreachableDeployment,
} from "@weaver/runtime";
import { MetricHistory } from "./metric-totals.js";

/** How long an answer is reused. */
const CACHE_MS = 500;

/** The running deployments, as the index shows them. */
export interface DashboardListing {
  /** The deployer whose command serves the dashboard; its deployments come first. */
  readonly deployer: string;
  /** When the data was gathered, in ms since the epoch. */
  readonly now: number;
  /** The deployments that answered: the serving deployer's first, then by deployer, app and start time. */
  readonly deployments: readonly RunningDeployment[];
  /** Registered deployments whose status server did not answer, with the reason. */
  readonly unreachable: readonly UnreachableDeployment[];
  /** Deployments that ended (stored logs or traces, no registration), most recent first. */
  readonly past: readonly StoredDeployment[];
}

/** The dashboard's view of the running deployments and their status servers. */
export class DashboardData {
  /** The deployer whose command serves the dashboard ("multi", "single", ...). */
  readonly deployer: string;
  /** The recent history of the metrics read, for the Metrics page's charts. */
  readonly history = new MetricHistory();
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** The traces of the ended deployment last opened, with the last write they were read at. */
  #traces: { deployment: string; lastWrite: number; traces: StoredTraces } | undefined;

  constructor(deployer: string) {
    this.deployer = deployer;
  }

  /** The running deployments of every deployer. */
  listing(): Promise<DashboardListing> {
    return this.#cached("listing", async () => {
      const { running, unreachable } = await listDeployments();
      // Read after listDeployments dropped the stale registrations: one registered now runs (or has
      // just started), and one that ends meanwhile shows up in one list or the other.
      const listed = new Set([...running, ...unreachable].map((d) => d.registration.deployment));
      const past = listStoredDeployments().filter((d) => !d.registered && !listed.has(d.deployment));
      const rank = (d: { registration: { deployer: string } }): string =>
        d.registration.deployer === this.deployer ? "" : d.registration.deployer;
      const deployments = [...running].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
      return { deployer: this.deployer, now: Date.now(), deployments, unreachable, past };
    });
  }

  /** The running deployment whose id is `id` or starts with it (if only one does); undefined when none. */
  async deployment(id: string): Promise<RunningDeployment | undefined> {
    return pickDeployment((await this.listing()).deployments, id);
  }

  /** The ended deployment whose id is `id` or starts with it (if only one does); undefined when none. */
  async pastDeployment(id: string): Promise<StoredDeployment | undefined> {
    const past = (await this.listing()).past;
    const exact = past.find((d) => d.deployment === id);
    if (exact !== undefined || id === "") return exact;
    const matches = past.filter((d) => d.deployment.startsWith(id.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The stored traces of an ended deployment, read again only when its files changed. */
  storedTraces(d: StoredDeployment): StoredTraces {
    const t = this.#traces;
    if (t !== undefined && t.deployment === d.deployment && t.lastWrite === d.lastWrite) return t.traces;
    const traces = readStoredTraces(d);
    this.#traces = { deployment: d.deployment, lastWrite: d.lastWrite, traces };
    return traces;
  }

  /** The newest `limit` stored log entries of an ended deployment that `filter` accepts, oldest first. */
  storedLogs(d: StoredDeployment, filter: (e: LogEntry) => boolean, limit: number): LogEntry[] {
    return readStoredLogs(d, filter, limit);
  }

  /** Its per-method statistics and call counts. */
  stats(d: RunningDeployment): Promise<DeploymentStats> {
    return this.#cached(`${d.registration.status}/stats`, () => client(d).stats());
  }

  /** Its stored traces matching a /traces query string (`min_ms=1&max_ms=10`, `errors=1`). */
  traces(d: RunningDeployment, query: string): Promise<TraceSummary[]> {
    return this.#cached(`${d.registration.status}/traces?${query}`, () => client(d).traces(query));
  }

  /** The spans of one trace, or undefined when the deployment has no such trace. */
  trace(d: RunningDeployment, traceId: string): Promise<SpanRecord[] | undefined> {
    return client(d).trace(traceId);
  }

  /** Every replica's metric snapshot. */
  metrics(d: RunningDeployment): Promise<ReplicaMetrics[]> {
    return this.#cached(`${d.registration.status}/metrics`, () => client(d).metrics());
  }

  /** Its recent log entries matching the query `q` (never cached; see StatusClient.logs). */
  logs(d: RunningDeployment, q: string, options: LogsOptions = {}): Promise<LogsReply> {
    return client(d).logs(q, options);
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    for (const [k, v] of this.#cache) if (now - v.at >= CACHE_MS) this.#cache.delete(k);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit.value as Promise<T>;
    const value = load();
    this.#cache.set(key, { at: now, value });
    value.catch(() => this.#cache.delete(key));
    return value;
  }
}

function client(d: RunningDeployment): StatusClient {
  return StatusClient.of(d.registration);
}

/** Finds a deployment by its id, or by a prefix of it that names only one; undefined when none (or more than one) matches. */
export function pickDeployment(deployments: readonly RunningDeployment[], id: string): RunningDeployment | undefined {
  const exact = deployments.find((d) => d.status.deployment === id);
  if (exact !== undefined || id === "") return exact;
  const matches = deployments.filter((d) => d.status.deployment.startsWith(id.toLowerCase()));
  return matches.length === 1 ? matches[0] : undefined;
}
