/**
 * Where the dashboard's data comes from: the registry of a deployer (listDeployments, which also
 * asks every deployment's status server for its status) and, for one deployment, the routes of
 * its status server (/stats, /traces, /trace, /metrics.json, /logs).
 *
 * Answers are kept for CACHE_MS, so that several pages open on one deployment, each refreshing
 * every second, ask each status server once per refresh rather than once per page.
 */
import { listDeployments, type RunningDeployment, type UnreachableDeployment } from "@weaver/multi";
import {
  LOGS_PATH,
  METRICS_JSON_PATH,
  STATS_PATH,
  type DeploymentStats,
  type LogsReply,
  type ReplicaMetrics,
  type SpanRecord,
  type TraceSummary,
} from "@weaver/runtime";

/** How long a status server may take to answer (a long poll of /logs takes its wait on top). */
export const FETCH_TIMEOUT_MS = 5_000;

/** How long an answer is reused. */
const CACHE_MS = 500;

/** The running deployments of a deployer, as the index shows them. */
export interface DashboardListing {
  /** The deployer whose deployments these are ("multi" or "single"). */
  readonly deployer: string;
  /** When the data was gathered, in ms since the epoch. */
  readonly now: number;
  /** The deployments that answered, by app, then by start time. */
  readonly deployments: readonly RunningDeployment[];
  /** Registered deployments whose status server did not answer, with the reason. */
  readonly unreachable: readonly UnreachableDeployment[];
}

/** The dashboard's view of a deployer's deployments and their status servers. */
export class DashboardData {
  readonly deployer: string;
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(deployer: string) {
    this.deployer = deployer;
  }

  /** The running deployments. */
  listing(): Promise<DashboardListing> {
    return this.#cached("listing", async () => {
      const { running, unreachable } = await listDeployments({ deployer: this.deployer });
      return { deployer: this.deployer, now: Date.now(), deployments: running, unreachable };
    });
  }

  /** The running deployment whose id is `id` or starts with it (if only one does); undefined when none. */
  async deployment(id: string): Promise<RunningDeployment | undefined> {
    return pickDeployment((await this.listing()).deployments, id);
  }

  /** Its per-method statistics and call counts. */
  stats(d: RunningDeployment): Promise<DeploymentStats> {
    return this.#get(d, STATS_PATH);
  }

  /** Its stored traces matching a /traces query string (`min_ms=1&max_ms=10`, `errors=1`). */
  traces(d: RunningDeployment, query: string): Promise<TraceSummary[]> {
    return this.#get(d, `/traces?${query}`);
  }

  /** The spans of one trace, or undefined when the deployment has no such trace. */
  async trace(d: RunningDeployment, traceId: string): Promise<SpanRecord[] | undefined> {
    const res = await fetchFrom(d, `/trace?id=${encodeURIComponent(traceId)}`);
    if (res.status === 404) return undefined;
    return (await json(d, res)) as SpanRecord[];
  }

  /** Every replica's metric snapshot. */
  metrics(d: RunningDeployment): Promise<ReplicaMetrics[]> {
    return this.#get(d, METRICS_JSON_PATH);
  }

  /**
   * Its recent log entries matching the query `q`: the last `limit` of them, or with `after` those
   * from that number on, waiting up to `waitMs` for one. Never cached; rejects with the status
   * server's reason when the query does not parse.
   */
  async logs(d: RunningDeployment, q: string, options: { after?: number; waitMs?: number; limit?: number; signal?: AbortSignal } = {}): Promise<LogsReply> {
    const p = new URLSearchParams({ q });
    if (options.limit !== undefined) p.set("limit", String(options.limit));
    if (options.after !== undefined) p.set("after", String(options.after));
    if (options.waitMs !== undefined) p.set("wait", String(options.waitMs));
    const res = await fetchFrom(d, `${LOGS_PATH}?${p}`, (options.waitMs ?? 0) + FETCH_TIMEOUT_MS, options.signal);
    return (await json(d, res)) as LogsReply;
  }

  #get<T>(d: RunningDeployment, path: string): Promise<T> {
    return this.#cached(`${d.registration.status}${path}`, async () => (await json(d, await fetchFrom(d, path))) as T);
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

/** Finds a deployment by its id, or by a prefix of it that names only one; undefined when none (or more than one) matches. */
export function pickDeployment(deployments: readonly RunningDeployment[], id: string): RunningDeployment | undefined {
  const exact = deployments.find((d) => d.status.deployment === id);
  if (exact !== undefined || id === "") return exact;
  const matches = deployments.filter((d) => d.status.deployment.startsWith(id.toLowerCase()));
  return matches.length === 1 ? matches[0] : undefined;
}

async function fetchFrom(d: RunningDeployment, path: string, timeoutMs = FETCH_TIMEOUT_MS, signal?: AbortSignal): Promise<Response> {
  const url = new URL(path, d.registration.status);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await fetch(url, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) });
  } catch (e) {
    throw new Error(`the status server ${d.registration.status} of deployment ${d.registration.deployment} did not answer GET ${url.pathname}: ${(e as Error).message}`);
  }
}

async function json(d: RunningDeployment, res: Response): Promise<unknown> {
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status === 200 && body !== undefined) return body;
  const reason = typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string" ? (body as { error: string }).error : `HTTP status ${res.status}`;
  throw new Error(res.status === 400 ? reason : `the status server ${d.registration.status} answered ${new URL(res.url).pathname}: ${reason}`);
}
