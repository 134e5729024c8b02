/**
 * Reading a running deployment's metrics through its status server (GET /metrics.json), for
 * `weaver multi metrics` and scripts.
 */
import { METRICS_JSON_PATH, type Registration, type ReplicaMetrics } from "@weaver/runtime";
import { httpGet } from "./http-get.js";

/** How long a status server may take to answer with metrics (it pulls every replica first). */
export const METRICS_FETCH_TIMEOUT_MS = 5_000;

/** The metric snapshots of a deployment's replicas; rejects with what went wrong, naming the server. */
export async function fetchMetrics(registration: Registration, timeoutMs = METRICS_FETCH_TIMEOUT_MS): Promise<ReplicaMetrics[]> {
  const url = new URL(METRICS_JSON_PATH, registration.status);
  let body: string;
  try {
    body = await httpGet(url, timeoutMs);
  } catch (e) {
    throw new Error(`its status server ${registration.status} did not answer GET ${METRICS_JSON_PATH}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every(isReplicaMetrics)) {
    throw new Error(`its status server ${registration.status} answered GET ${METRICS_JSON_PATH} with something that is not a list of replica metrics`);
  }
  return value;
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
    (r["metrics"] as unknown[]).every((m) => typeof m === "object" && m !== null && typeof (m as { name?: unknown }).name === "string" && Array.isArray((m as { series?: unknown }).series))
  );
}
