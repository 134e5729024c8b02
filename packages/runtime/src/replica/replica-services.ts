/**
 * What a replica answers its deployer on the reserved method ids of its RPC address
 * (deployer-protocol.ts): health, a metrics snapshot, the spans finished since the last pull, and
 * profiles.
 */
import { RpcSystemError, SystemCode } from "@weaver/rpc";
import { Codec } from "../calls/codec.js";
import { snapshotMetrics } from "../metrics/metrics.js";
import { takeSpans } from "../tracing/tracer.js";
import {
  HEALTH_METHOD,
  METRICS_METHOD,
  PROFILE_METHOD,
  SPANS_METHOD,
  type HealthReply,
  type MetricsReply,
  type ProfileReply,
  type ProfileRequest,
} from "./deployer-protocol.js";
import { profileProcess, startHeapSampling } from "./profiler.js";

const codec = new Codec();

/** Answers one reserved method call. */
export type ReplicaService = (payload: Buffer) => Promise<Uint8Array>;

/** The reserved methods of replica `id`, by method id; creating them starts the heap sampler (profiler.ts). */
export function replicaServices(id: string): ReadonlyMap<number, ReplicaService> {
  const health = codec.encode({ healthy: true, id } satisfies HealthReply);
  startHeapSampling();
  return new Map<number, ReplicaService>([
    [HEALTH_METHOD, () => Promise.resolve(health)],
    [METRICS_METHOD, () => Promise.resolve(codec.encode({ id, metrics: snapshotMetrics() } satisfies MetricsReply))],
    [SPANS_METHOD, () => Promise.resolve(codec.encode(takeSpans()))],
    [
      PROFILE_METHOD,
      async (payload) =>
        codec.encode({ id, profile: await profileProcess(codec.decode(payload) as ProfileRequest) } satisfies ProfileReply),
    ],
  ]);
}

/** Answers a reserved method, or refuses one this replica does not know. */
export function serveReserved(services: ReadonlyMap<number, ReplicaService>, method: number, payload: Buffer): Promise<Uint8Array> {
  const service = services.get(method);
  if (service === undefined)
    throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `no reserved method #${method.toString(16)} in this replica`);
  return service(payload);
}
