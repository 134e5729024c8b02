/**
 * A deployment's status server: how every deployer shows a running deployment to the tools. It
 * serves the routes of statusRoutes() on 127.0.0.1 unless told otherwise (status, Prometheus
 * metrics, statistics, traces, logs, profiles), pulls the replicas' metrics for the statistics
 * every few seconds and their finished spans every second (exporting them by OTLP when the config
 * names a collector), and registers the deployment so that `weaver <deployer> status`, the
 * dashboard and the other tools find it. A deployer supplies what only it knows: the status, the
 * replicas to ask, and the recent log entries.
 *
 * Safety (request-guard.ts): on loopback, the server answers only requests that name it by a
 * loopback name and come from no other web origin, and POST routes need WEAVER_REQUEST_HEADER. On
 * any other address, or when asked (requireToken, WEAVER_STATUS_TOKEN=1), it also requires a
 * random token, which it writes into the deployment's registration file (mode 0600), where
 * StatusClient.of() and the tools find it.
 */
import { randomBytes } from "node:crypto";
import type { AppConfig } from "../config/config.js";
import type { RecentLogs } from "../logs/recent-logs.js";
import { MetricsCollector } from "../metrics/metrics-collector.js";
import { profileReplicas } from "../profile/profile.js";
import { Traces } from "../tracing/traces.js";
import { registerDeployment, traceFile, unregisterDeployment } from "./deployment-files.js";
import type { DeploymentStatus } from "./deployment-status.js";
import { pullMetrics, pullSpans, type ReplicaEndpoint } from "./replica-endpoint.js";
import { isLoopback } from "./request-guard.js";
import { RouteServer, statusRoutes } from "./status-routes.js";

/** The environment variable that, set to 1, makes every status server require a token. */
export const STATUS_TOKEN_ENV = "WEAVER_STATUS_TOKEN";

/** What a deployer tells its status server. */
export interface StatusServerOptions {
  /** The deployer's name, under which the deployment registers ("multi", "single", ...). */
  readonly deployer: string;
  /** The app's name, as the banner shows it. */
  readonly app: string;
  /** The deployment id. */
  readonly deployment: string;
  /** When the deployment started, in ms since the epoch. */
  readonly started: number;
  /** The deployment's config (its tracing options). */
  readonly config: AppConfig;
  /** The deployment's status now. */
  readonly status: () => DeploymentStatus;
  /** The replicas that can answer now (ready ones). */
  readonly replicas: () => readonly ReplicaEndpoint[];
  /** The deployment's recent log entries (GET /logs). */
  readonly logs: RecentLogs;
  /** Hears of trouble in the background, such as a trace collector that refuses spans. */
  readonly warn: (message: string) => void;
  /**
   * Let the process exit while the server listens: a single-process app ends when its own work
   * does, not when its status server would.
   */
  readonly unref?: boolean;
  /**
   * The address to listen on: 127.0.0.1 unless given. An address other than a loopback one
   * (0.0.0.0, a host's IP) makes the server require a token.
   */
  readonly host?: string;
  /**
   * Require a token even on a loopback address, so that other users of the machine cannot read
   * the deployment either. Defaults to whether the environment sets WEAVER_STATUS_TOKEN=1, which
   * turns it on for every deployer (`WEAVER_STATUS_TOKEN=1 weaver multi deploy weaver.toml`).
   */
  readonly requireToken?: boolean;
}

/** A running status server, registered until stopped. */
export class StatusServer {
  /** Its base URL, e.g. http://127.0.0.1:43087. */
  readonly url: string;
  /** The token requests must carry (`Authorization: Bearer <token>`), or undefined when none is needed. */
  readonly token: string | undefined;
  readonly #options: StatusServerOptions;
  readonly #routes: RouteServer;
  readonly #metrics: MetricsCollector;
  readonly #traces: Traces;
  #stopped: Promise<void> | undefined;

  private constructor(
    options: StatusServerOptions,
    url: string,
    token: string | undefined,
    routes: RouteServer,
    metrics: MetricsCollector,
    traces: Traces,
  ) {
    this.#options = options;
    this.url = url;
    this.token = token;
    this.#routes = routes;
    this.#metrics = metrics;
    this.#traces = traces;
  }

  /** Starts serving and collecting, and registers the deployment. */
  static async start(options: StatusServerOptions): Promise<StatusServer> {
    const { deployer, app, deployment } = options;
    const where = { app, deployment };
    const metrics = new MetricsCollector({ started: options.started, pull: () => pullMetrics(options.replicas(), where) });
    const traces = new Traces({
      config: options.config,
      file: traceFile(deployer, deployment),
      pull: () => pullSpans(options.replicas()),
      warn: options.warn,
    });
    const routes = new RouteServer(
      statusRoutes({
        status: options.status,
        metrics: () => metrics.metrics(),
        stats: () => metrics.stats(),
        traces: () => traces.current(),
        logs: () => options.logs,
        profile: (request) => profileReplicas({ app, id: deployment, deployer }, options.replicas(), request),
      }),
    );
    const host = options.host ?? "127.0.0.1";
    const requireToken = options.requireToken ?? process.env[STATUS_TOKEN_ENV] === "1";
    const token = requireToken || !isLoopback(host) ? randomBytes(32).toString("base64url") : undefined;
    const url = await routes.listen(0, host, token);
    if (options.unref === true) routes.unref();
    const registration = { deployer, deployment, app, status: url, pid: process.pid, started: options.started };
    registerDeployment(token === undefined ? registration : { ...registration, token });
    metrics.start();
    traces.start();
    return new StatusServer(options, url, token, routes, metrics, traces);
  }

  /**
   * Unregisters the deployment, takes the replicas' last spans (call it while they still run),
   * sends what the trace exporter holds, and stops serving.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      unregisterDeployment(this.#options.deployer, this.#options.deployment);
      this.#metrics.stop();
      await this.#traces.stop();
      await this.#routes.close();
    })();
    return this.#stopped;
  }
}
