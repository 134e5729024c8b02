/**
 * The client of a deployment's status server (status-routes.ts lists the routes): what the tools
 * (`weaver <deployer> metrics | profile`, the dashboard) and scripts read a running deployment
 * through. Requests go through node:http, so that no connection outlives its request; every
 * failure is an Error whose message names the status server and the route. Every request carries
 * WEAVER_REQUEST_HEADER, and the token when the status server requires one (StatusClient.of reads
 * it from the registration). Statuses are redacted on arrival too, whichever server sent them.
 */
import { request } from "node:http";
import type { LogsReply } from "../logs/recent-logs.js";
import type { DeploymentStats } from "../metrics/deployment-stats.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";
import { PROFILE_MARGIN_MS, type DeploymentProfile } from "../profile/profile.js";
import type { ProfileRequest } from "../replica/deployer-protocol.js";
import type { SpanRecord } from "../tracing/span.js";
import type { TraceSummary } from "../tracing/trace-store.js";
import { redactStatus, type DeploymentStatus } from "./deployment-status.js";
import type { Registration } from "./deployment-files.js";
import { WEAVER_REQUEST_HEADER } from "./request-guard.js";
import { PROFILE_PATH } from "../profile/profile-http.js";
import { LOGS_PATH } from "../logs/recent-logs.js";
import { METRICS_JSON_PATH, STATS_PATH } from "./status-routes.js";

/** How long a status server may take to answer (it pulls every replica for metrics). */
export const STATUS_FETCH_TIMEOUT_MS = 5_000;

/** Options of a request for recent log entries. */
export interface LogsOptions {
  /** The newest `limit` matching entries (200 by default, at most 1000). */
  readonly limit?: number;
  /** Entries from this number on (a LogsReply's `next`), instead of the newest ones. */
  readonly after?: number;
  /** With `after`, how long to wait for a new entry (at most 25 s). */
  readonly waitMs?: number;
  /** Gives up the request when aborted. */
  readonly signal?: AbortSignal;
}

/** Options of a StatusClient. */
export interface StatusClientOptions {
  /** The token the status server requires (Registration.token), if it requires one. */
  readonly token?: string | undefined;
}

/** Reads one deployment through its status server. */
export class StatusClient {
  /** The status server's base URL, e.g. http://127.0.0.1:43087. */
  readonly url: string;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(url: string, options: StatusClientOptions = {}) {
    this.url = url;
    this.#headers = {
      accept: "application/json",
      [WEAVER_REQUEST_HEADER]: "1",
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    };
  }

  /** A client of a registered deployment's status server, with its token if it has one. */
  static of(registration: Registration): StatusClient {
    return new StatusClient(registration.status, { token: registration.token });
  }

  /** The deployment's status, its config redacted. */
  async status(): Promise<DeploymentStatus> {
    return redactStatus(await this.#json<DeploymentStatus>("GET", "/status"));
  }

  /** A fresh metric snapshot of every replica that answers in time. */
  async metrics(): Promise<ReplicaMetrics[]> {
    const value = await this.#json<unknown>("GET", METRICS_JSON_PATH);
    if (!Array.isArray(value) || !value.every(isReplicaMetrics)) {
      throw new Error(
        `the status server ${this.url} answered GET ${METRICS_JSON_PATH} with something that is not a list of replica metrics`,
      );
    }
    return value;
  }

  /** The per-method statistics and call counts. */
  stats(): Promise<DeploymentStats> {
    return this.#json("GET", STATS_PATH);
  }

  /** The stored traces matching a /traces query string (`min_ms=1&max_ms=10`, `errors=1`), newest first. */
  traces(query = ""): Promise<TraceSummary[]> {
    return this.#json("GET", `/traces${query === "" ? "" : `?${query}`}`);
  }

  /** The spans of one trace, or undefined when the deployment has no such trace. */
  async trace(id: string): Promise<SpanRecord[] | undefined> {
    const path = `/trace?id=${encodeURIComponent(id)}`;
    const res = await this.#send("GET", path);
    return res.status === 404 ? undefined : (this.#parse(path, res) as SpanRecord[]);
  }

  /**
   * Recent log entries matching the query `q` (the log query language). Rejects with the status
   * server's own reason when the query does not parse.
   */
  async logs(q: string, options: LogsOptions = {}): Promise<LogsReply> {
    const p = new URLSearchParams({ q });
    if (options.limit !== undefined) p.set("limit", String(options.limit));
    if (options.after !== undefined) p.set("after", String(options.after));
    if (options.waitMs !== undefined) p.set("wait", String(options.waitMs));
    const path = `${LOGS_PATH}?${p}`;
    const res = await this.#send("GET", path, (options.waitMs ?? 0) + STATUS_FETCH_TIMEOUT_MS, options.signal);
    return this.#parse(path, res) as LogsReply;
  }

  /** A profile of every ready replica, merged (see profileReplicas). */
  async profile(req: ProfileRequest): Promise<DeploymentProfile> {
    const path = `${PROFILE_PATH}?type=${req.type}&duration_ms=${req.durationMs}`;
    const res = await this.#send("POST", path, req.durationMs + 2 * PROFILE_MARGIN_MS);
    // A profile no replica gave is the deployment's answer, not the server's failure.
    if (res.status === 500) throw new Error(res.body.trim());
    return this.#parse(path, res) as DeploymentProfile;
  }

  async #json<T>(method: string, path: string): Promise<T> {
    return this.#parse(path, await this.#send(method, path)) as T;
  }

  #parse(path: string, res: { status: number; body: string }): unknown {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    if (res.status === 200 && body !== undefined) return body;
    const reason =
      typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
        ? (body as { error: string }).error
        : res.status === 200
          ? "something that is not JSON"
          : `HTTP status ${res.status}${res.body.trim() === "" ? "" : `: ${res.body.trim()}`}`;
    // A 400 is the caller's mistake (a query that does not parse): its reason is the whole story.
    if (res.status === 400) throw new Error(reason);
    throw new Error(`the status server ${this.url} answered ${path.split("?")[0]} with ${reason}`);
  }

  #send(
    method: string,
    path: string,
    timeoutMs = STATUS_FETCH_TIMEOUT_MS,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.url);
    return new Promise((resolve, reject) => {
      const fail = (e: Error): void =>
        reject(new Error(`the status server ${this.url} did not answer ${method} ${url.pathname}: ${e.message}`));
      const req = request(url, { method, timeout: timeoutMs, signal, headers: this.#headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 100) / 10}s`)));
      req.on("error", fail);
      req.end();
    });
  }
}

/** Checks the parts of a replica's metrics that the tables rely on. */
function isReplicaMetrics(v: unknown): v is ReplicaMetrics {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r["app"] === "string" &&
    typeof r["deployment"] === "string" &&
    typeof r["replica"] === "string" &&
    Array.isArray(r["metrics"]) &&
    (r["metrics"] as unknown[]).every(
      (m) =>
        typeof m === "object" &&
        m !== null &&
        typeof (m as { name?: unknown }).name === "string" &&
        Array.isArray((m as { series?: unknown }).series),
    )
  );
}
