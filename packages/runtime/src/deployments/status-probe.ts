/**
 * Asks a registered deployment's status server for its status, and classifies the answer the way
 * registry garbage collection needs it (as Service Weaver's registry does):
 *
 * - running: the server answered with the status of this very deployment and deployer pid;
 * - gone: nothing listens on the address (connection refused), or another deployment answers:
 *   the registration is stale and may be deleted;
 * - unreachable: anything else (a timeout, an HTTP error, an answer that is not a status). The
 *   deployment may still run, so its registration is kept and the caller reports the problem.
 */
import { redactStatus, type DeploymentStatus } from "./deployment-status.js";
import type { Registration } from "./deployment-files.js";
import { httpGet } from "./http-get.js";

/** What a status server said about a registered deployment. */
export type StatusProbe =
  | { readonly kind: "running"; readonly status: DeploymentStatus }
  | { readonly kind: "gone"; readonly reason: string }
  | { readonly kind: "unreachable"; readonly reason: string };

/** How long a status server may take to answer; a local one answers in milliseconds. */
export const STATUS_TIMEOUT_MS = 2_000;

/** Fetches GET <status>/status of a registration and classifies the outcome (never rejects). */
export async function probeStatus(registration: Registration, timeoutMs = STATUS_TIMEOUT_MS): Promise<StatusProbe> {
  let url: URL;
  try {
    url = new URL("/status", registration.status);
  } catch {
    return { kind: "unreachable", reason: `its status address ${JSON.stringify(registration.status)} is not a URL` };
  }
  if (url.protocol !== "http:") {
    return { kind: "unreachable", reason: `its status address ${registration.status} is not an http:// URL` };
  }
  let body: string;
  try {
    body = await httpGet(url, timeoutMs, registration.token);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED") return { kind: "gone", reason: `nothing listens on its status address ${registration.status}` };
    return { kind: "unreachable", reason: `its status server ${registration.status} did not answer: ${(e as Error).message}` };
  }
  let status: unknown;
  try {
    status = JSON.parse(body);
  } catch {
    return { kind: "unreachable", reason: `its status server ${registration.status} answered with something that is not JSON` };
  }
  if (!isDeploymentStatus(status)) {
    return {
      kind: "unreachable",
      reason: `its status server ${registration.status} answered with something that is not a deployment status`,
    };
  }
  if (status.deployment !== registration.deployment) {
    return { kind: "gone", reason: `its status address ${registration.status} now serves deployment ${status.deployment}` };
  }
  if (status.pid !== registration.pid) {
    // Not stale (the deployment answers), but not to be trusted with its pid either: purge
    // signals only deployers whose pid both the registry and the status server vouch for.
    return {
      kind: "unreachable",
      reason: `its status server reports deployer pid ${status.pid}, but the registration says ${registration.pid}`,
    };
  }
  // Redacted here too: what a tool shows never depends on the version of the deployer it reads.
  return { kind: "running", status: redactStatus(status) };
}

/** Checks the parts of a status that the commands rely on. */
function isDeploymentStatus(v: unknown): v is DeploymentStatus {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s["deployment"] === "string" &&
    typeof s["app"] === "string" &&
    typeof s["started"] === "number" &&
    typeof s["pid"] === "number" &&
    Array.isArray(s["groups"]) &&
    Array.isArray(s["components"]) &&
    Array.isArray(s["listeners"])
  );
}
