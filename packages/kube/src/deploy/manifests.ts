/**
 * The objects of one version, in the order `kubectl apply` should create them (what is referred to
 * before what refers to it): ConfigMap (weaver.toml and the wiring), the CA Secret (mTLS), per group
 * a ServiceAccount, the Role to watch pods and its RoleBinding, per group a Deployment and its
 * HorizontalPodAutoscaler, and per listener its Service.
 */
import { CertificateAuthority } from "@weaver/runtime";
import { LABELS, WIRING_FILE, type KubeWiring } from "../wiring.js";
import type { Plan, PlanGroup, PlanListener } from "./app-plan.js";
import { deploymentObject, podLabels, type ObjectNames } from "./deployment-object.js";
import { versionedName } from "./names.js";

/** A version's identity: the deployment id and the version (its first 8 characters). */
export interface VersionId {
  readonly deployment: string;
  readonly version: string;
}

/** The objects of a version, and whether they hold the CA's private key. */
export interface VersionObjects {
  readonly objects: readonly object[];
  readonly wiring: KubeWiring;
  readonly names: ObjectNames;
  readonly holdsKey: boolean;
}

/** The names of a version's objects. */
export function objectNames(plan: Plan, version: string): ObjectNames {
  return {
    configMap: versionedName([plan.appLabel], version),
    secret: versionedName([plan.appLabel, "ca"], version),
    role: versionedName([plan.appLabel, "pods"], version),
    group: (g) => versionedName([plan.appLabel, g.label], version),
  };
}

/** The wiring every pod of the version reads (deployment.json). */
export function wiringOf(plan: Plan, id: VersionId): KubeWiring {
  return {
    format: 1,
    app: plan.app,
    deployment: id.deployment,
    version: id.version,
    appVersion: plan.deployable.manifest.versionHash,
    configSha256: plan.configSha256,
    configPath: plan.configPath,
    namespace: plan.kube.namespace,
    groups: plan.groups.map((g) => ({
      name: g.name,
      label: g.label,
      components: g.components,
      listeners: Object.fromEntries(g.listeners.map((l) => [l.name, l.containerPort])),
    })),
    mtls: plan.kube.mtls,
    certLifetimeMs: plan.kube.certLifetimeMs,
  };
}

/**
 * The Service of listener `l`: `name` selects the version's pods of the group hosting it. Without
 * a rollout it is the listener's own Service (LoadBalancer when public), re-pointed by each deploy.
 */
export function listenerService(
  plan: Plan,
  version: string,
  g: PlanGroup,
  l: PlanListener,
  name: string,
  type: "LoadBalancer" | "ClusterIP",
): object {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: plan.kube.namespace, labels: { [LABELS.app]: plan.appLabel, [LABELS.version]: version } },
    spec: {
      type,
      selector: podLabels(plan, version, g),
      ports: [{ name: l.portName, port: l.spec.port, targetPort: l.portName, protocol: "TCP" }],
    },
  };
}

/** Builds the objects of version `id`; with `ca`, the Secret holds its certificate and private key. */
export function versionObjects(plan: Plan, id: VersionId, ca?: CertificateAuthority): VersionObjects {
  const k = plan.kube;
  const v = id.version;
  const names = objectNames(plan, v);
  const wiring = wiringOf(plan, id);
  const meta = (name: string): object => ({ name, namespace: k.namespace, labels: { [LABELS.app]: plan.appLabel, [LABELS.version]: v } });
  const objects: object[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(names.configMap),
      data: { "weaver.toml": plan.configText, [WIRING_FILE]: `${JSON.stringify(wiring, null, 2)}\n` },
    },
  ];
  if (k.mtls) {
    const authority = ca ?? new CertificateAuthority(`${plan.app} ${v}`);
    objects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(names.secret),
      type: "Opaque",
      stringData: { "ca.crt": authority.certificate, "ca.key": authority.exportPrivateKey() },
    });
  }
  for (const g of plan.groups) objects.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: meta(names.group(g)) });
  objects.push(
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(names.role),
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(names.role),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role },
      subjects: plan.groups.map((g) => ({ kind: "ServiceAccount", name: names.group(g), namespace: k.namespace })),
    },
  );
  for (const g of plan.groups) {
    objects.push(deploymentObject(plan, v, names, g), {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta(names.group(g)),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: names.group(g) },
        minReplicas: g.spec.scaling.minReplicas,
        maxReplicas: g.spec.scaling.maxReplicas,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: g.spec.scaling.cpuUtilization } },
          },
        ],
      },
    });
  }
  for (const g of plan.groups) {
    for (const l of g.listeners) {
      // With a rollout, traffic enters through the Gateway: each version's Service is internal.
      if (k.rolloutMs !== undefined) objects.push(listenerService(plan, v, g, l, versionedName([l.serviceName], v), "ClusterIP"));
      else objects.push(listenerService(plan, v, g, l, l.serviceName, l.spec.public ? "LoadBalancer" : "ClusterIP"));
    }
  }
  return { objects, wiring, names, holdsKey: k.mtls };
}
