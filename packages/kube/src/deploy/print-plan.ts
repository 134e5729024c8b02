/**
 * What deploy prints: the files it wrote, the commands to build, push and apply (as Service
 * Weaver's weaver-kube does), the listeners and the Services that expose them, the rollout plan
 * when there is one, and how to delete the version.
 */
import { formatAge, renderTable } from "@weaver/runtime";
import { LABELS } from "../wiring.js";
import type { Plan } from "./app-plan.js";
import type { RolloutStep } from "./rollout-objects.js";
import type { VersionRecord } from "./versions.js";

/** What printPlan needs. */
export interface PlanOutput {
  readonly plan: Plan;
  readonly version: string;
  /** The out folder and the stream's path, as the user would type them. */
  readonly out: string;
  readonly stream: string;
  readonly holdsKey: boolean;
  readonly previous: VersionRecord | undefined;
  readonly steps: readonly RolloutStep[];
}

/** The kinds a version has that `kubectl delete all` does not cover (all is pods, services, deployments, replicasets, HPAs, ...). */
export const CLEANUP_KINDS = "all,configmaps,secrets,serviceaccounts,roles,rolebindings,horizontalpodautoscalers";

/** The command that deletes version `v` of the plan's app. */
export function cleanupCommand(plan: Plan, v: string): string {
  return `kubectl delete ${CLEANUP_KINDS} -n ${plan.kube.namespace} -l ${LABELS.app}=${plan.appLabel},${LABELS.version}=${v}`;
}

/** The text deploy prints. */
export function printPlan(o: PlanOutput): string {
  const { plan, version, out } = o;
  const k = plan.kube;
  const rollout = k.rolloutMs !== undefined;
  const rows = plan.groups.flatMap((g) =>
    g.listeners.map((l) => {
      const type = rollout ? "HTTPRoute" : l.spec.public ? "LoadBalancer" : "ClusterIP";
      return [
        l.given ? l.name : `${l.name} (not in kube.yaml: defaults)`,
        rollout ? `${l.serviceName} via ${k.gateway?.name}` : l.serviceName,
        type,
        String(l.spec.port),
        g.name,
      ];
    }),
  );
  const lines = [
    `Version ${version} of ${plan.app} (namespace ${k.namespace}) written to ${out}:`,
    `  ${o.stream}${o.holdsKey ? "  (holds the CA's private key: keep it private, mode 0600)" : ""}`,
    `  ${out}/Dockerfile, ${out}/Dockerfile.dockerignore  (the app must be built and depend on @weaver/kube)`,
    ...(o.steps.length > 0 ? [`  ${out}/rollout-${version}/  (${o.steps.length} HTTPRoute steps from ${o.previous?.version})`] : []),
    "",
    "To deploy it:",
    `  docker build -f ${out}/Dockerfile -t ${k.image} ${relativeDir(plan.appDir)}`,
    `  docker push ${k.image}`,
    `  kubectl apply -f ${o.stream}`,
    "",
  ];
  if (rows.length > 0) lines.push(renderTable("Listeners", ["LISTENER", "SERVICE", "TYPE", "PORT", "GROUP"], rows).trimEnd(), "");
  if (o.steps.length > 0 && o.previous !== undefined) {
    const hold = (k.rolloutMs as number) / o.steps.length;
    const seconds = Math.round(hold / 1000);
    lines.push(
      `Then roll out from ${o.previous.version} in ${o.steps.length} steps, one every ${formatAge(hold)} (${o.steps.map((s) => `${s.percent}%`).join(", ")}),`,
      "once the new version is available, by applying each step's HTTPRoutes:",
      `  kubectl wait --for=condition=Available deployment -n ${k.namespace} -l ${LABELS.version}=${version} --timeout=10m`,
      `  for f in ${out}/rollout-${version}/*.yaml; do kubectl apply -f "$f"; sleep ${seconds}; done`,
      `and when it is done, delete the old version:`,
      `  ${cleanupCommand(plan, o.previous.version)}`,
      "",
    );
  } else if (rollout) {
    lines.push(
      `Listener traffic enters through Gateway ${k.gateway?.namespace}/${k.gateway?.name}; the next deploy rolls out from this version.`,
      "",
    );
  } else {
    lines.push("Each listener's Service now selects this version's pods: applying moves all of its traffic at once.", "");
  }
  lines.push("To delete this version:", `  ${cleanupCommand(plan, version)}`, "");
  return lines.join("\n");
}

/** A folder as the user would type it from the working directory. */
function relativeDir(dir: string): string {
  const rel = dir.startsWith(`${process.cwd()}/`) ? dir.slice(process.cwd().length + 1) : dir;
  return rel === "" ? "." : rel;
}
