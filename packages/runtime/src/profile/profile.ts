/**
 * A profile of a whole deployment: every ready replica is profiled at once (PROFILE_METHOD) and
 * the answers are merged into one V8 profile (profile-merge.ts).
 *
 * Service Weaver profiles one replica per colocation group and scales its pprof samples by the
 * group's replica count. V8 profiles cannot be scaled that way: a CPU profile is a timeline of
 * samples, not weighted counts, and copying samples would invent a timeline. So every ready
 * replica is profiled, which costs each one about as much as one (the sampling is cheap, and
 * they run concurrently) and shows the true total as well as how evenly the replicas share the
 * work, under one labelled subtree each. A replica that fails or does not answer in time is left
 * out and named in `failed`; only when none answers is the profile an error.
 */
import { runtimeError } from "../errors.js";
import type { ReplicaEndpoint } from "../deployments/replica-endpoint.js";
import type { ProfileRequest } from "../replica/deployer-protocol.js";
import { mergeCpuProfiles, mergeHeapProfiles, type CpuProfile, type HeapProfile } from "./profile-merge.js";

/** How much longer than its duration a replica may take to answer a profile request. */
export const PROFILE_MARGIN_MS = 10_000;

/** A replica asked for a profile. */
export interface ProfiledReplica {
  readonly group: string;
  readonly id: string;
  readonly pid: number;
}

/** A replica whose profile is missing, and why. */
export interface FailedReplica extends ProfiledReplica {
  readonly error: string;
}

/** A deployment's profile, as its status server answers POST /profile. */
export interface DeploymentProfile {
  readonly app: string;
  readonly deployment: string;
  readonly type: ProfileRequest["type"];
  readonly durationMs: number;
  /** The replicas whose profiles were merged. */
  readonly replicas: readonly ProfiledReplica[];
  /** The replicas that were asked but did not give a profile. */
  readonly failed: readonly FailedReplica[];
  /** The merged profile, the content of a .cpuprofile or .heapprofile file. */
  readonly profile: CpuProfile | HeapProfile;
}

/** The label of a replica's subtree in a merged profile. */
export function replicaLabel(r: ProfiledReplica): string {
  return `${r.group} ${r.id.slice(0, 8)} pid ${r.pid}`;
}

/** Profiles every replica at once and merges what they answer. */
export async function profileReplicas(
  deployment: { readonly app: string; readonly id: string; readonly deployer: string },
  replicas: readonly ReplicaEndpoint[],
  request: ProfileRequest,
): Promise<DeploymentProfile> {
  const where = `deployment ${deployment.id} of ${deployment.app}`;
  if (replicas.length === 0) {
    throw runtimeError(
      "WEAVER_ERR_PROFILE",
      `${where} has no ready replica to profile; check its replicas with \`weaver ${deployment.deployer} status\` and try again`,
    );
  }
  const timeoutMs = (request.type === "cpu" ? request.durationMs : 0) + PROFILE_MARGIN_MS;
  const answers = await Promise.all(
    replicas.map(async (endpoint) => {
      const replica: ProfiledReplica = { group: endpoint.group, id: endpoint.id, pid: endpoint.pid };
      try {
        const reply = await endpoint.profile(request, timeoutMs);
        if (reply.id !== replica.id) throw new Error(`another replica (${reply.id}) answered on its address`);
        return { replica, profile: JSON.parse(reply.profile) as CpuProfile & HeapProfile };
      } catch (e) {
        // The RPC layer's "replica <id>: " prefix repeats what the replica's label says.
        const error = (e instanceof Error ? e.message : String(e)).replace(/^replica [\w-]+: /, "");
        return { replica, error: endpoint.running() ? error : `its process ended during the profile (${error})` };
      }
    }),
  );
  const ok = answers.flatMap((a) =>
    a.profile === undefined ? [] : [{ label: replicaLabel(a.replica), profile: a.profile, replica: a.replica }],
  );
  const failed = answers.flatMap((a) => (a.error === undefined ? [] : [{ ...a.replica, error: a.error }]));
  if (ok.length === 0) {
    const reasons = new Set(failed.map((f) => f.error));
    const why =
      reasons.size === 1
        ? `; ${failed.length === 1 ? "its replica" : `all ${failed.length} replicas`} answered: ${[...reasons][0]}`
        : `:\n${failed.map((f) => `  ${replicaLabel(f)}: ${f.error}`).join("\n")}`;
    throw runtimeError("WEAVER_ERR_PROFILE", `no replica of ${where} gave a ${request.type} profile${why}`);
  }
  return {
    app: deployment.app,
    deployment: deployment.id,
    type: request.type,
    durationMs: request.type === "cpu" ? request.durationMs : 0,
    replicas: ok.map((p) => p.replica),
    failed,
    profile: request.type === "cpu" ? mergeCpuProfiles(ok) : mergeHeapProfiles(ok),
  };
}
