/**
 * Pulling metric snapshots (and finished spans) from a deployment's replicas: every replica with a live connection
 * (ready, or unhealthy but not yet replaced) is asked at once, and one that does not answer
 * within the timeout is left out, so that a slow replica never holds up GET /metrics or the
 * statistics.
 */
import type { ReplicaMetrics, SpanRecord } from "@weaver/runtime";
import type { ReplicaSlot } from "./replica.js";

/** How long a replica may take to answer a metrics pull. */
export const METRICS_TIMEOUT_MS = 1_000;

/** The snapshots of the replicas of `slots` that answer within `timeoutMs` (never rejects). */
export async function pullReplicaMetrics(
  slots: readonly ReplicaSlot[],
  where: { readonly app: string; readonly deployment: string },
  timeoutMs = METRICS_TIMEOUT_MS,
): Promise<ReplicaMetrics[]> {
  const replies = await Promise.all(
    slots.map(async (slot): Promise<ReplicaMetrics | undefined> => {
      const client = slot.client;
      if (client === undefined) return undefined;
      try {
        // The reply's id, not the slot's: the slot may have started another process meanwhile.
        const reply = await client.metrics(timeoutMs);
        return { app: where.app, deployment: where.deployment, replica: reply.id, metrics: reply.metrics };
      } catch {
        return undefined;
      }
    }),
  );
  return replies.filter((r): r is ReplicaMetrics => r !== undefined);
}

/** The spans the replicas of `slots` finished since the last pull (a replica that does not answer in time keeps none back: see ReplicaClient.spans). */
export async function pullReplicaSpans(slots: readonly ReplicaSlot[], timeoutMs = METRICS_TIMEOUT_MS): Promise<SpanRecord[]> {
  const replies = await Promise.all(slots.map((slot) => slot.client?.spans(timeoutMs).catch(() => []) ?? []));
  return replies.flat();
}
