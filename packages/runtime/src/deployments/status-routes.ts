/**
 * The routes of a deployment's status server, and the HTTP server that answers from a route
 * table (RouteServer, on 127.0.0.1 and a free port unless told otherwise). StatusServer builds
 * the table with statusRoutes() from a StatusSource, so that every deployer serves the same
 * routes; a new route is one line in statusRoutes() plus what it needs in StatusSource.
 *
 * Routes of statusRoutes():
 *
 *   GET /status        the DeploymentStatus, as JSON
 *   GET /metrics       every replica's metrics, freshly pulled, as Prometheus text (format 0.0.4);
 *                      replicas that do not answer in time are left out
 *   GET /metrics.json  the same snapshots as JSON: ReplicaMetrics[], [{app, deployment, replica, metrics}]
 *   GET /stats         per-method statistics (last minute, last hour, total) and caller -> callee
 *                      call counts, as JSON: DeploymentStats
 *   GET /traces        the stored traces, newest first, as JSON: TraceSummary[]; query parameters
 *                      min_ms and max_ms (latency bounds, low inclusive), errors=1 (failed traces
 *                      only) and limit (default 100)
 *   GET /trace?id=<trace id>
 *                      one trace's spans in start order, as JSON: SpanRecord[] (404 if unknown)
 *   POST /profile      a profile of every ready replica, merged (profile-http.ts)
 *   GET /logs          recent log entries, as JSON: LogsReply. Query parameters: q (a log query,
 *                      400 when it does not parse), limit (default 200, at most 1000), and after=<n>
 *                      for the entries from number n on, waiting up to wait=<ms> (at most 25 s) for
 *                      one to arrive; without `after`, the last `limit` matching entries
 *
 * Query strings are ignored by the matching (`/status?x` is `/status`). Another path answers 404
 * and another method 405, both with the list of routes; a route that throws answers 500 with the
 * error's message. Before any of that, requestGuard (request-guard.ts) vets the Host, the Origin,
 * the token when the server has one, and the WEAVER_REQUEST_HEADER of POST requests: a request it
 * refuses answers 403 (401 for a missing token) and reaches no route. The config in GET /status is
 * redacted here, whatever the deployer put in it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { redactStatus, type DeploymentStatus } from "./deployment-status.js";
import { checkRequestHeader, requestGuard, type RequestGuard } from "./request-guard.js";
import { PROMETHEUS_PATH, prometheusText, type ReplicaMetrics } from "../metrics/prometheus.js";
import type { DeploymentStats } from "../metrics/deployment-stats.js";
import type { TraceQuery, TraceStore } from "../tracing/trace-store.js";
import { compileLogQuery, type LogFilter } from "../logs/log-query.js";
import { LOGS_PATH, type RecentLogs } from "../logs/recent-logs.js";
import { profileRoute } from "../profile/profile-http.js";
import type { DeploymentProfile } from "../profile/profile.js";
import type { ProfileRequest } from "../replica/deployer-protocol.js";

/** The content type of Prometheus text exposition, format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const TEXT = "text/plain; charset=utf-8";

/** The path of the metric snapshots as JSON. */
export const METRICS_JSON_PATH = "/metrics.json";

/** The path of the per-method statistics. */
export const STATS_PATH = "/stats";

/** A request as a route sees it. */
export interface StatusRequest {
  /** The request URL, resolved against the server's address. */
  readonly url: URL;
  /** The server's `host:port` (for answers that name the server, such as a scrape config). */
  readonly target: string;
  /** The raw request, for routes that read a body. */
  readonly incoming: http.IncomingMessage;
}

/** What a route answers. */
export interface StatusReply {
  /** HTTP status; 200 when omitted. */
  readonly status?: number;
  readonly contentType: string;
  readonly body: string | Uint8Array;
  /** Further response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One route of a status server. */
export interface StatusRoute {
  readonly method: "GET" | "POST";
  /** The exact path, starting with "/". */
  readonly path: string;
  /** Computes the answer; a rejection answers 500. */
  readonly handle: (request: StatusRequest) => StatusReply | Promise<StatusReply>;
}

/** What a deployment tells its status server. */
export interface StatusSource {
  /** The deployment's status now. */
  status(): DeploymentStatus;
  /** A fresh metric snapshot of every replica that answers in time. */
  metrics(): Promise<readonly ReplicaMetrics[]>;
  /** The per-method statistics, brought up to date. */
  stats(): Promise<DeploymentStats>;
  /** The deployment's traces, brought up to date. */
  traces(): Promise<TraceStore>;
  /** The deployment's recent log entries. */
  logs(): RecentLogs;
  /** A profile of every ready replica, merged. */
  profile(request: ProfileRequest): Promise<DeploymentProfile>;
}

/** A JSON answer. */
export function jsonReply(value: unknown, status = 200): StatusReply {
  return { status, contentType: "application/json", body: JSON.stringify(value) };
}

/** The routes every deployer's status server serves, answered by `source`. */
export function statusRoutes(source: StatusSource): StatusRoute[] {
  return [
    { method: "GET", path: "/status", handle: () => jsonReply(redactStatus(source.status())) },
    {
      method: "GET",
      path: PROMETHEUS_PATH,
      handle: async (r) => ({ contentType: PROMETHEUS_CONTENT_TYPE, body: prometheusText(await source.metrics(), r.target) }),
    },
    { method: "GET", path: METRICS_JSON_PATH, handle: async () => jsonReply(await source.metrics()) },
    { method: "GET", path: STATS_PATH, handle: async () => jsonReply(await source.stats()) },
    { method: "GET", path: "/traces", handle: async (r) => jsonReply((await source.traces()).list(traceQuery(r.url))) },
    {
      method: "GET",
      path: "/trace",
      handle: async (r) => {
        const id = r.url.searchParams.get("id") ?? "";
        const spans = (await source.traces()).trace(id);
        return spans === undefined
          ? jsonReply({ error: `no trace ${JSON.stringify(id)} in this deployment; GET /traces lists them` }, 404)
          : jsonReply(spans);
      },
    },
    { method: "GET", path: LOGS_PATH, handle: (r) => logsReply(source.logs(), r) },
    profileRoute((request) => source.profile(request)),
  ];
}

/** Entries a /logs answer holds unless `limit` says otherwise, and at most. */
const LOGS_LIMIT = 200;
const MAX_LOGS_LIMIT = 1_000;

/** Answers GET /logs; a long poll ends early when the client goes away. */
async function logsReply(logs: RecentLogs, r: StatusRequest): Promise<StatusReply> {
  const p = r.url.searchParams;
  let filter: LogFilter;
  try {
    filter = compileLogQuery(p.get("q") ?? "");
  } catch (e) {
    return jsonReply({ error: (e as Error).message }, 400);
  }
  const int = (name: string, fallback: number): number => {
    const v = Number(p.get(name) ?? "");
    return p.get(name) === null || !Number.isInteger(v) || v < 0 ? fallback : v;
  };
  const limit = Math.min(Math.max(int("limit", LOGS_LIMIT), 1), MAX_LOGS_LIMIT);
  if (p.get("after") === null) return jsonReply(logs.last(filter, limit));
  // The request's own "close" comes once it has been read; the socket's, when the client leaves.
  const gone = new AbortController();
  const leave = (): void => gone.abort();
  r.incoming.socket.once("close", leave);
  try {
    return jsonReply(await logs.since(int("after", logs.next), filter, limit, int("wait", 0), gone.signal));
  } finally {
    r.incoming.socket.off("close", leave);
  }
}

/** The TraceQuery of a /traces request; parameters that are not numbers are ignored. */
function traceQuery(url: URL): TraceQuery {
  const num = (name: string): number | undefined => {
    const v = url.searchParams.get(name);
    return v === null || v === "" || !Number.isFinite(Number(v)) ? undefined : Number(v);
  };
  const q: { -readonly [K in keyof TraceQuery]: TraceQuery[K] } = {};
  const minMs = num("min_ms");
  const maxMs = num("max_ms");
  const limit = num("limit");
  if (minMs !== undefined) q.minMs = minMs;
  if (maxMs !== undefined) q.maxMs = maxMs;
  if (limit !== undefined) q.limit = limit;
  if (url.searchParams.get("errors") === "1" || url.searchParams.get("errors") === "true") q.errors = true;
  return q;
}

/** Serves a route table over HTTP on 127.0.0.1 (a free port unless told otherwise). */
export class RouteServer {
  readonly #server: http.Server;
  readonly #routes: readonly StatusRoute[];
  #target = "";
  /** Set by listen(), before any request can arrive. */
  #guard: RequestGuard = () => ({ status: 403, message: "the status server is not listening yet" });

  constructor(routes: readonly StatusRoute[]) {
    this.#routes = routes;
    this.#server = http.createServer((req, res) => void this.#serve(req, res));
  }

  /**
   * Listens on `host:port` (127.0.0.1 and a free port by default) and returns the base URL. With a
   * token, every request must carry it as `Authorization: Bearer <token>`.
   */
  async listen(port = 0, host = "127.0.0.1", token?: string): Promise<string> {
    this.#guard = requestGuard(token === undefined ? { what: "the status server", host } : { what: "the status server", host, token });
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#target = `${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
    return `http://${this.#target}`;
  }

  /** Lets the process exit while the server listens (a single-process app ends when its work does). */
  unref(): void {
    this.#server.unref();
  }

  /** Stops serving, dropping open connections. */
  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${this.#target || "127.0.0.1"}`);
    const onPath = this.#routes.filter((r) => r.path === url.pathname);
    const route = onPath.find((r) => r.method === req.method);
    const refused = this.#guard(req) ?? (route === undefined ? undefined : checkRequestHeader(req, "the status server"));
    let reply: StatusReply;
    if (refused !== undefined) {
      const headers: Record<string, string> = refused.status === 401 ? { "www-authenticate": 'Bearer realm="weaver"' } : {};
      reply = { status: refused.status, contentType: TEXT, body: `${refused.message}\n`, headers };
    } else if (route === undefined) {
      const list = this.#routes.map((r) => `  ${r.method} ${r.path}`).join("\n");
      const what = onPath.length === 0 ? `no route for ${url.pathname}` : `${url.pathname} does not answer ${req.method}`;
      reply = {
        status: onPath.length === 0 ? 404 : 405,
        contentType: TEXT,
        body: `${what}; the status server answers:\n${list}\n`,
      };
    } else {
      try {
        reply = await route.handle({ url, target: this.#target, incoming: req });
      } catch (e) {
        reply = {
          status: 500,
          contentType: TEXT,
          body: `${req.method} ${url.pathname} failed: ${e instanceof Error ? e.message : String(e)}\n`,
        };
      }
    }
    res.statusCode = reply.status ?? 200;
    res.setHeader("content-type", reply.contentType);
    // Answers are data for tools, never pages: no sniffing them into HTML, no caching.
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("cache-control", "no-store");
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.end(reply.body);
  }
}
