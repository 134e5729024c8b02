/**
 * The per-method statistics of a deployment, as its status server serves them (GET /stats, JSON),
 * for the dashboard and scripts. StatsProcessor computes them from the replicas' method metrics.
 */

/** The calls of one method over one window, aggregated across replicas and callers. */
export interface WindowStats {
  /** Calls started in the window. */
  readonly count: number;
  /** Calls that failed. */
  readonly errors: number;
  /** Mean latency in milliseconds of the calls timed in the window (0 when none was). */
  readonly latencyMs: number;
  /** Encoded arguments sent per second, in KB (remote calls only). */
  readonly requestKBps: number;
  /** Encoded results returned per second, in KB (remote calls only). */
  readonly replyKBps: number;
}

/** The statistics of one component method. */
export interface MethodStatsSummary {
  /** Full name of the component. */
  readonly component: string;
  readonly method: string;
  /** About the last 60 s (at the granularity of the snapshots). */
  readonly minute: WindowStats;
  /** About the last hour. */
  readonly hour: WindowStats;
  /** Since the deployment started. */
  readonly total: WindowStats;
}

/** Calls from one component to another since the deployment started (an edge of the traffic graph). */
export interface CallEdge {
  readonly caller: string;
  readonly callee: string;
  readonly count: number;
}

/** What GET /stats answers. */
export interface DeploymentStats {
  /** When the deployment started, in ms since the epoch. */
  readonly started: number;
  /** When the last snapshot was taken, in ms since the epoch; 0 before the first. */
  readonly updated: number;
  /** Every method called so far, by component (Main first, then by full name), then method. */
  readonly methods: readonly MethodStatsSummary[];
  /** Calls between components (calls from outside any component are left out), sorted likewise. */
  readonly calls: readonly CallEdge[];
}
