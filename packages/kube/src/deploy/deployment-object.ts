/**
 * A group's Deployment: no `replicas` (its HorizontalPodAutoscaler owns the count), one container
 * `weaver` that runs the babysitter, with the env, ports, probes, mounts and Prometheus
 * annotations of the contract in wiring.ts, on nodes of the platform the image was built for.
 */
import { CA_DIR, CONFIG_DIR, ENV, HEALTH_PORT, HEALTH_PORT_NAME, LABELS, RPC_PORT, RPC_PORT_NAME } from "../wiring.js";
import type { Plan, PlanGroup } from "./app-plan.js";
import type { ProbeSpec } from "./kube-config.js";

/** The container's command: the babysitter of the @weaver/kube the app depends on. */
export const CONTAINER_COMMAND = ["node", "/app/node_modules/@weaver/kube/bin/weaver-kube.js", "babysitter"] as const;

/** The defaults of the probes (kube.yaml's probes.* keys override them). */
export const PROBE_DEFAULTS = {
  readiness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
  liveness: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
} as const;

/** The names a version's objects share. */
export interface ObjectNames {
  readonly configMap: string;
  readonly secret: string;
  readonly role: string;
  /** Per group (by label): its ServiceAccount, Deployment and HPA name. */
  readonly group: (g: PlanGroup) => string;
}

/** The labels of a group's pods (and its Deployment's selector). */
export function podLabels(plan: Plan, version: string, g: PlanGroup): Record<string, string> {
  return { [LABELS.app]: plan.appLabel, [LABELS.version]: version, [LABELS.group]: g.label };
}

/** The Deployment of group `g`. */
export function deploymentObject(plan: Plan, version: string, names: ObjectNames, g: PlanGroup): object {
  const k = plan.kube;
  const labels = podLabels(plan, version, g);
  const probe = (path: string, base: Record<string, number>, spec: ProbeSpec): object | undefined =>
    spec === false ? undefined : { httpGet: { path, port: HEALTH_PORT_NAME }, ...base, ...spec };
  const readiness = probe("/readyz", PROBE_DEFAULTS.readiness, k.probes.readiness);
  const liveness = probe("/healthz", PROBE_DEFAULTS.liveness, k.probes.liveness);
  const field = (path: string): object => ({ valueFrom: { fieldRef: { fieldPath: path } } });
  const resources = { requests: g.spec.requests, ...(Object.keys(g.spec.limits).length > 0 ? { limits: g.spec.limits } : {}) };
  const container = {
    name: "weaver",
    image: k.image,
    command: [...CONTAINER_COMMAND],
    env: [
      { name: ENV.group, value: g.name },
      { name: ENV.podName, ...field("metadata.name") },
      { name: ENV.podNamespace, ...field("metadata.namespace") },
      { name: ENV.podIp, ...field("status.podIP") },
    ],
    ports: [
      { name: RPC_PORT_NAME, containerPort: RPC_PORT, protocol: "TCP" },
      { name: HEALTH_PORT_NAME, containerPort: HEALTH_PORT, protocol: "TCP" },
      ...g.listeners.map((l) => ({ name: l.portName, containerPort: l.containerPort, protocol: "TCP" })),
    ],
    ...(readiness === undefined ? {} : { readinessProbe: readiness }),
    ...(liveness === undefined ? {} : { livenessProbe: liveness }),
    resources,
    volumeMounts: [
      { name: "weaver-config", mountPath: CONFIG_DIR, readOnly: true },
      ...(k.mtls ? [{ name: "weaver-ca", mountPath: CA_DIR, readOnly: true }] : []),
      ...g.spec.volumeMounts,
    ],
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: names.group(g), namespace: k.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(HEALTH_PORT), "prometheus.io/path": "/metrics" },
        },
        spec: {
          serviceAccountName: names.group(g),
          nodeSelector: { "kubernetes.io/os": k.platform.os, "kubernetes.io/arch": k.platform.arch },
          containers: [container],
          volumes: [
            { name: "weaver-config", configMap: { name: names.configMap } },
            ...(k.mtls ? [{ name: "weaver-ca", secret: { secretName: names.secret } }] : []),
            ...g.spec.volumes,
          ],
        },
      },
    },
  };
}
