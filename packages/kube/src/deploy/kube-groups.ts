/**
 * kube.yaml `groups`: per group, its resources (Kubernetes quantities, checked as the API server
 * parses them, requests at most the limits), its scaling (the HorizontalPodAutoscaler's bounds and
 * CPU target) and its storage (volumes and volume mounts, passed through to the pod spec).
 */
import type { Node } from "yaml";
import { parseQuantity, quantityProblem } from "./kube-values.js";
import { type YamlFile, join, mapEntries, readInteger, readMapList, readString } from "./yaml-reader.js";

/** The CPU and memory of a request or limit. */
export type Resources = Readonly<Partial<Record<"cpu" | "memory", string>>>;

/** A group as kube.yaml gives it (keyed by what the user wrote; app-plan.ts finds the group). */
export interface GroupSpec {
  readonly requests: Resources;
  readonly limits: Resources;
  readonly scaling: { readonly minReplicas: number; readonly maxReplicas: number; readonly cpuUtilization: number };
  readonly volumes: readonly Record<string, unknown>[];
  readonly volumeMounts: readonly Record<string, unknown>[];
  /** The line of its key. */
  readonly line: number;
}

/** What a group gets when kube.yaml says nothing: requests so the HPA's CPU target means something. */
export const GROUP_DEFAULTS = {
  requests: { cpu: "100m", memory: "128Mi" },
  scaling: { minReplicas: 1, maxReplicas: 10, cpuUtilization: 80 },
} as const;

/** The most replicas a group's autoscaler may reach. */
const MAX_REPLICAS = 1000;

/** The default spec of a group kube.yaml does not name. */
export function defaultGroup(): GroupSpec {
  return { requests: GROUP_DEFAULTS.requests, limits: {}, scaling: GROUP_DEFAULTS.scaling, volumes: [], volumeMounts: [], line: 0 };
}

/** groups: name → {resources, scaling, storage}. */
export function readGroups(y: YamlFile, node: Node | null | undefined): Record<string, GroupSpec> {
  const out: Record<string, GroupSpec> = {};
  for (const [name, { keyNode, value }] of mapEntries(y, node, "groups", "any")) {
    const path = join("groups", name);
    const e = mapEntries(y, value, path, ["resources", "scaling", "storage"]);
    const r = mapEntries(y, e.get("resources")?.value, `${path}.resources`, ["requests", "limits"]);
    const requests = readResources(y, r.get("requests")?.value, `${path}.resources.requests`);
    const limits = readResources(y, r.get("limits")?.value, `${path}.resources.limits`);
    for (const key of ["cpu", "memory"] as const) {
      const req = parseQuantity(requests[key] ?? GROUP_DEFAULTS.requests[key]);
      const lim = limits[key] === undefined ? undefined : parseQuantity(limits[key]);
      if (req !== undefined && lim !== undefined && req > lim) {
        const given = requests[key] === undefined ? ` (the default request is ${GROUP_DEFAULTS.requests[key]})` : "";
        y.report(
          r.get("limits")?.value,
          `${path}.resources.limits.${key}`,
          `"${limits[key]}" is below the request${given}; a limit must be at least the request`,
        );
      }
    }
    const s = mapEntries(y, e.get("scaling")?.value, `${path}.scaling`, ["minReplicas", "maxReplicas", "cpuUtilization"]);
    const int = (key: string, min: number, max: number, fallback: number): number => {
      const v = s.get(key)?.value;
      return v == null ? fallback : (readInteger(y, v, `${path}.scaling.${key}`, min, max) ?? fallback);
    };
    const minReplicas = int("minReplicas", 1, MAX_REPLICAS, GROUP_DEFAULTS.scaling.minReplicas);
    const maxReplicas = int("maxReplicas", 1, MAX_REPLICAS, Math.max(minReplicas, GROUP_DEFAULTS.scaling.maxReplicas));
    if (maxReplicas < minReplicas)
      y.report(
        s.get("maxReplicas")?.value,
        `${path}.scaling.maxReplicas`,
        `${maxReplicas} is below minReplicas ${minReplicas}; raise it or lower minReplicas`,
      );
    const cpuUtilization = int("cpuUtilization", 1, 1000, GROUP_DEFAULTS.scaling.cpuUtilization);
    const st = mapEntries(y, e.get("storage")?.value, `${path}.storage`, ["volumes", "volumeMounts"]);
    const list = (key: string): Record<string, unknown>[] => {
      const v = st.get(key)?.value;
      return v == null ? [] : (readMapList(y, v, `${path}.storage.${key}`) ?? []);
    };
    const volumes = list("volumes");
    const volumeMounts = list("volumeMounts");
    const names = new Set(volumes.map((v) => v["name"]));
    for (const m of volumeMounts) {
      if (!names.has(m["name"]))
        y.report(
          st.get("volumeMounts")?.value,
          `${path}.storage.volumeMounts`,
          `mounts volume ${JSON.stringify(m["name"])}, which storage.volumes does not declare; add it there or fix the name`,
        );
    }
    out[name] = {
      requests: { ...GROUP_DEFAULTS.requests, ...requests },
      limits,
      scaling: { minReplicas, maxReplicas, cpuUtilization },
      volumes,
      volumeMounts,
      line: y.line(keyNode),
    };
  }
  return out;
}

/** requests or limits: {cpu, memory}, each a quantity. */
function readResources(y: YamlFile, node: Node | null | undefined, path: string): Partial<Record<"cpu" | "memory", string>> {
  const out: Partial<Record<"cpu" | "memory", string>> = {};
  for (const [key, { value }] of mapEntries(y, node, path, ["cpu", "memory"])) {
    if (value === null) continue;
    const q = readString(y, value, join(path, key));
    if (q === undefined) continue;
    const problem = quantityProblem(q, key);
    if (problem !== undefined) y.report(value, join(path, key), problem);
    else out[key as "cpu" | "memory"] = q;
  }
  return out;
}
