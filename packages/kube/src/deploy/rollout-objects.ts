/**
 * A rollout from the previous version to this one, for listener traffic that enters through a
 * Gateway (Gateway API): per listener, a Service for each version's pods (`<serviceName>-<v>`),
 * and an HTTPRoute `<serviceName>` whose backendRefs weigh the two in the steps of local rollouts
 * (10, 25, 50, 75, 100%, each held a fifth of the rollout). Applying the steps is up to the user
 * (deploy prints a script); nothing here talks to a cluster.
 */
import { LABELS } from "../wiring.js";
import type { Plan, PlanListener } from "./app-plan.js";
import { versionedName } from "./names.js";
import type { VersionRecord } from "./versions.js";

/** The new version's share at each step (as weaver multi's rollouts). */
export const ROLLOUT_STEPS: readonly number[] = [0.1, 0.25, 0.5, 0.75, 1];

/** One step: its file name ("1-10.yaml") and its objects. */
export interface RolloutStep {
  readonly file: string;
  readonly percent: number;
  readonly objects: readonly object[];
}

/** The HTTPRoute of listener `l` with `weights`: version → percent. */
function route(plan: Plan, version: string, l: PlanListener, weights: readonly (readonly [string, number])[]): object {
  const gw = plan.kube.gateway as NonNullable<Plan["kube"]["gateway"]>;
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    // Labelled with the version that last wrote it: deleting the old version leaves it.
    metadata: { name: l.serviceName, namespace: plan.kube.namespace, labels: { [LABELS.app]: plan.appLabel, [LABELS.version]: version } },
    spec: {
      parentRefs: [{ name: gw.name, namespace: gw.namespace }],
      rules: [{ backendRefs: weights.map(([v, weight]) => ({ name: versionedName([l.serviceName], v), port: l.spec.port, weight })) }],
    },
  };
}

/** The listeners of the plan. */
function listeners(plan: Plan): PlanListener[] {
  return plan.groups.flatMap((g) => g.listeners);
}

/**
 * What the version's stream gets besides its own objects: with no previous version, the routes
 * (all traffic to this one); with one, a Service for the old version's pods of each listener both
 * have (labelled with the old version, so that deleting it deletes them).
 */
export function rolloutStreamObjects(plan: Plan, version: string, previous: VersionRecord | undefined): object[] {
  if (previous === undefined) return listeners(plan).map((l) => route(plan, version, l, [[version, 100]]));
  return listeners(plan).flatMap((l) => {
    const old = previous.listeners[l.name];
    if (old === undefined) return [];
    return [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: versionedName([l.serviceName], previous.version),
          namespace: plan.kube.namespace,
          labels: { [LABELS.app]: plan.appLabel, [LABELS.version]: previous.version },
        },
        spec: {
          type: "ClusterIP",
          selector: { [LABELS.app]: plan.appLabel, [LABELS.version]: previous.version, [LABELS.group]: old.group },
          ports: [{ name: old.portName, port: l.spec.port, targetPort: old.portName, protocol: "TCP" }],
        },
      },
    ];
  });
}

/** The steps from `previous` to `version`; a listener the old version did not have goes to the new one at once. */
export function rolloutSteps(plan: Plan, version: string, previous: VersionRecord): RolloutStep[] {
  return ROLLOUT_STEPS.map((fraction, i) => {
    const percent = Math.round(fraction * 100);
    const objects = listeners(plan).map((l) =>
      previous.listeners[l.name] === undefined
        ? route(plan, version, l, [[version, 100]])
        : route(plan, version, l, [
            [previous.version, 100 - percent],
            [version, percent],
          ]),
    );
    return { file: `${i + 1}-${percent}.yaml`, percent, objects };
  });
}
