/**
 * A deployment's metrics as its deployer (or a single-process app) collects them: a snapshot of
 * every process every STATS_PULL_EVERY_MS goes into a StatsProcessor, and the status server asks
 * for fresh snapshots (GET /metrics) and up-to-date statistics (GET /stats).
 *
 * One periodic collection runs at a time, so the processor sees each replica's snapshots in order
 * (an older snapshot arriving after a newer one would look like a restart). Snapshots pulled for
 * GET /metrics are not fed to the processor for the same reason.
 */
import type { ReplicaMetrics } from "./prometheus.js";
import type { DeploymentStats } from "./deployment-stats.js";
import { StatsProcessor } from "./stats-processor.js";

/** How often the statistics pull snapshots from the processes. */
export const STATS_PULL_EVERY_MS = 5_000;

/** Statistics younger than this are served as they are; older ones are refreshed first. */
const FRESH_MS = 1_000;

/** Options of a MetricsCollector. */
export interface MetricsCollectorOptions {
  /** When the deployment started, in ms since the epoch. */
  readonly started: number;
  /** Snapshots of the processes that answer in time (never rejects; a silent process is left out). */
  readonly pull: () => Promise<readonly ReplicaMetrics[]>;
  /** The clock, in ms since the epoch (tests); Date.now by default. */
  readonly now?: () => number;
}

/** Collects the metrics of one deployment and keeps its per-method statistics. */
export class MetricsCollector {
  readonly #processor: StatsProcessor;
  readonly #pull: () => Promise<readonly ReplicaMetrics[]>;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #collecting: Promise<void> | undefined;
  #collected = Number.NEGATIVE_INFINITY;

  constructor(options: MetricsCollectorOptions) {
    this.#processor = new StatsProcessor(options.started);
    this.#pull = options.pull;
    this.#now = options.now ?? Date.now;
  }

  /** Starts collecting every STATS_PULL_EVERY_MS (the timer does not keep the process alive). */
  start(): void {
    this.#timer ??= setInterval(() => void this.collect(), STATS_PULL_EVERY_MS);
    this.#timer.unref();
  }

  /** Stops collecting. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Pulls snapshots into the statistics now, or joins the collection under way. */
  collect(): Promise<void> {
    this.#collecting ??= this.#collectOnce().finally(() => (this.#collecting = undefined));
    return this.#collecting;
  }

  /** Fresh snapshots of every process that answers (not added to the statistics). */
  metrics(): Promise<readonly ReplicaMetrics[]> {
    return this.#pull();
  }

  /** The statistics, refreshed first unless the last collection ended less than a second ago. */
  async stats(): Promise<DeploymentStats> {
    if (this.#now() - this.#collected >= FRESH_MS) await this.collect();
    return this.#processor.report(this.#now());
  }

  async #collectOnce(): Promise<void> {
    const replicas = await this.#pull().catch(() => []);
    const now = this.#now();
    this.#processor.record(now, replicas);
    this.#collected = now;
  }
}
