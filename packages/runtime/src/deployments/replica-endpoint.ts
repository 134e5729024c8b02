/**
 * Replicas as a deployment's status server reaches them: for metric snapshots, finished spans and
 * profiles. A replica in another process is reached through its ReplicaClient (the reserved
 * methods of deployer-protocol.ts); a deployment whose components run in the status server's own
 * process (a single-process app, a test) uses localReplica(). Pulls ask every replica at once, and
 * one that does not answer in time is left out, so that a slow replica never holds up GET /metrics
 * or the statistics.
 */
import type { MetricsReply, ProfileReply, ProfileRequest } from "../replica/deployer-protocol.js";
import { profileProcess } from "../replica/profiler.js";
import { snapshotMetrics } from "../metrics/metrics.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";
import type { SpanRecord } from "../tracing/span.js";
import { takeSpans } from "../tracing/tracer.js";

/** A replica that answers for metrics, spans and profiles. */
export interface ReplicaEndpoint {
  /** The replica's id. */
  readonly id: string;
  /** The name of its group, as the status shows it. */
  readonly group: string;
  /** Its process id. */
  readonly pid: number;
  /** Its metrics now; rejects when it does not answer within `timeoutMs`. */
  metrics(timeoutMs: number): Promise<MetricsReply>;
  /** The spans it finished since the last pull (taken from it: a lost reply loses them). */
  spans(timeoutMs: number): Promise<SpanRecord[]>;
  /** A profile of it (a CPU profile takes `request.durationMs`). */
  profile(request: ProfileRequest, timeoutMs: number): Promise<ProfileReply>;
  /** Whether its process still runs; a profile that failed after it ended says so. */
  running(): boolean;
}

/** The replica that is this very process. */
export function localReplica(id: string, group: string): ReplicaEndpoint {
  return {
    id,
    group,
    pid: process.pid,
    metrics: async () => ({ id, metrics: snapshotMetrics() }),
    spans: async () => takeSpans(),
    profile: async (request) => ({ id, profile: await profileProcess(request) }),
    running: () => true,
  };
}

/** How long a replica may take to answer a pull. */
export const PULL_TIMEOUT_MS = 1_000;

/** The snapshots of the replicas that answer within `timeoutMs` (never rejects). */
export async function pullMetrics(
  replicas: readonly ReplicaEndpoint[],
  where: { readonly app: string; readonly deployment: string },
  timeoutMs = PULL_TIMEOUT_MS,
): Promise<ReplicaMetrics[]> {
  const replies = await Promise.all(
    replicas.map(async (replica): Promise<ReplicaMetrics | undefined> => {
      try {
        // The reply's id, not the endpoint's: a deployer may have started another process meanwhile.
        const reply = await replica.metrics(timeoutMs);
        return { app: where.app, deployment: where.deployment, replica: reply.id, metrics: reply.metrics };
      } catch {
        return undefined;
      }
    }),
  );
  return replies.filter((r): r is ReplicaMetrics => r !== undefined);
}

/**
 * How long a replica may take to answer a pull of its spans. A replica gives its spans away as it
 * answers, so a reply that comes after the caller gave up loses them (a trace then misses spans
 * for good): spans are pulled one pull at a time, off every request path, so waiting long for a
 * busy replica costs only freshness.
 */
export const SPANS_PULL_TIMEOUT_MS = 15_000;

/** The spans the replicas finished since the last pull (one that does not answer in time gives none). */
export async function pullSpans(replicas: readonly ReplicaEndpoint[], timeoutMs = SPANS_PULL_TIMEOUT_MS): Promise<SpanRecord[]> {
  const replies = await Promise.all(replicas.map((replica) => replica.spans(timeoutMs).catch(() => [])));
  return replies.flat();
}
