/**
 * For tests: every check an emitted stream must pass without a cluster. The schemas (see
 * manifest-schemas.test.util.ts) and the API server's rules they do not carry: DNS-1123 names and
 * labels, selectors that match the pod template's labels, container port names (at most 15
 * characters, unique), and every object referred to (ConfigMap, Secret, ServiceAccount, Role,
 * Deployment, Service, volumes, probe ports) present in the stream.
 */
import { parseAllDocuments } from "yaml";
import { DNS1123_LABEL, dnsLabelProblem, serviceNameProblem, subdomainProblem } from "./kube-values.js";
import { describe, schemaProblems, unknownFields, type K8sObject } from "./manifest-schemas.test.util.js";

type Obj = Record<string, unknown>;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The objects of YAML streams (comments and empty documents skipped). */
export function parseStream(...texts: string[]): K8sObject[] {
  return texts.flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as K8sObject)).filter((o) => o !== null);
}

/** What is wrong with a label key and value, if anything. */
function labelProblem(key: string, value: unknown): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix !== undefined && subdomainProblem(prefix) !== undefined) return `label key ${key} has a prefix that is not a DNS subdomain`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `label key ${key} is not a valid label name`;
  if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value))
    return `label ${key} has value ${JSON.stringify(value)}, not a label value (at most 63 characters)`;
  return undefined;
}

/** Every label map in `o` (metadata, pod template, selectors) with its path. */
function labelMaps(o: K8sObject): [string, Obj][] {
  const spec = (o["spec"] ?? {}) as Obj;
  const template = (spec["template"] ?? {}) as Obj;
  const maps: [string, unknown][] = [
    ["metadata.labels", (o.metadata as Obj | undefined)?.["labels"]],
    ["spec.template.metadata.labels", (template["metadata"] as Obj | undefined)?.["labels"]],
    ["spec.selector.matchLabels", (spec["selector"] as Obj | undefined)?.["matchLabels"]],
  ];
  if (o.kind === "Service") maps.push(["spec.selector", spec["selector"]]);
  return maps.filter((m): m is [string, Obj] => typeof m[1] === "object" && m[1] !== null);
}

/** The pod template's containers of a Deployment. */
function containers(d: K8sObject): Obj[] {
  return ((((d["spec"] as Obj)["template"] as Obj)["spec"] as Obj)["containers"] as Obj[] | undefined) ?? [];
}

/** The problems of a whole stream: an empty list when it would be accepted as it is. */
export function checkStream(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
  const has = (kind: string, name: unknown): boolean => byKind(kind).some((o) => o.metadata?.name === name);
  const seen = new Set<string>();
  for (const o of objects) {
    problems.push(...schemaProblems(o), ...unknownFields(o));
    const id = `${describe(o)} in ${String((o.metadata as Obj | undefined)?.["namespace"])}`;
    if (seen.has(id)) problems.push(`${describe(o)}: two objects of this kind have this name`);
    seen.add(id);
    const name = String(o.metadata?.name);
    const nameProblem = o.kind === "Service" ? serviceNameProblem(name) : subdomainProblem(name);
    if (nameProblem !== undefined) problems.push(`${describe(o)}: the name ${nameProblem}`);
    const ns = (o.metadata as Obj | undefined)?.["namespace"];
    if (typeof ns === "string" && dnsLabelProblem(ns) !== undefined) problems.push(`${describe(o)}: namespace ${ns} is not a DNS label`);
    for (const [path, labels] of labelMaps(o)) {
      for (const [k, v] of Object.entries(labels)) {
        const p = labelProblem(k, v);
        if (p !== undefined) problems.push(`${describe(o)}: ${path}: ${p}`);
      }
    }
  }
  for (const d of byKind("Deployment")) problems.push(...deploymentProblems(d, has));
  const deployments = byKind("Deployment");
  for (const s of byKind("Service")) {
    const selector = ((s["spec"] as Obj)["selector"] ?? {}) as Obj;
    const target = deployments.find((d) => {
      const labels = ((((d["spec"] as Obj)["template"] as Obj)["metadata"] as Obj)["labels"] ?? {}) as Obj;
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (target === undefined) {
      problems.push(`${describe(s)}: its selector matches the pods of no Deployment in the stream`);
      continue;
    }
    const portNames = new Set(containers(target).flatMap((c) => ((c["ports"] as Obj[] | undefined) ?? []).map((p) => p["name"])));
    for (const p of ((s["spec"] as Obj)["ports"] as Obj[] | undefined) ?? []) {
      if (typeof p["targetPort"] === "string" && !portNames.has(p["targetPort"]))
        problems.push(`${describe(s)}: targetPort ${p["targetPort"]} is no container port of ${describe(target)}`);
    }
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    const ref = (h["spec"] as Obj)["scaleTargetRef"] as Obj;
    if (!(ref["kind"] === "Deployment" && has("Deployment", ref["name"])))
      problems.push(`${describe(h)}: scaleTargetRef ${String(ref["kind"])}/${String(ref["name"])} is not in the stream`);
  }
  for (const b of byKind("RoleBinding")) {
    const ref = b["roleRef"] as Obj;
    if (!has(String(ref["kind"]), ref["name"]))
      problems.push(`${describe(b)}: roleRef ${String(ref["kind"])}/${String(ref["name"])} is not in the stream`);
    for (const s of (b["subjects"] as Obj[] | undefined) ?? []) {
      if (s["kind"] === "ServiceAccount" && !has("ServiceAccount", s["name"]))
        problems.push(`${describe(b)}: subject ServiceAccount/${String(s["name"])} is not in the stream`);
    }
  }
  for (const r of byKind("HTTPRoute")) {
    for (const rule of ((r["spec"] as Obj)["rules"] as Obj[] | undefined) ?? []) {
      for (const ref of (rule["backendRefs"] as Obj[] | undefined) ?? []) {
        const svc = byKind("Service").find((s) => s.metadata?.name === ref["name"]);
        const ports = (((svc?.["spec"] as Obj | undefined)?.["ports"] as Obj[] | undefined) ?? []).map((p) => p["port"]);
        if (!ports.includes(ref["port"]))
          problems.push(`${describe(r)}: backendRef Service/${String(ref["name"])} port ${String(ref["port"])} is not in the stream`);
      }
    }
  }
  return problems;
}

/** A Deployment's own rules and references. */
function deploymentProblems(d: K8sObject, has: (kind: string, name: unknown) => boolean): string[] {
  const problems: string[] = [];
  const spec = d["spec"] as Obj;
  const template = spec["template"] as Obj;
  const pod = template["spec"] as Obj;
  const labels = ((template["metadata"] as Obj | undefined)?.["labels"] ?? {}) as Obj;
  const match = ((spec["selector"] as Obj)["matchLabels"] ?? {}) as Obj;
  if (Object.keys(match).length === 0) problems.push(`${describe(d)}: spec.selector selects nothing`);
  for (const [k, v] of Object.entries(match)) {
    if (labels[k] !== v)
      problems.push(`${describe(d)}: spec.selector.matchLabels ${k}=${String(v)} does not match the pod template's labels`);
  }
  const sa = pod["serviceAccountName"];
  if (sa !== undefined && !has("ServiceAccount", sa))
    problems.push(`${describe(d)}: serviceAccountName ${String(sa)} is not in the stream`);
  const volumes = (pod["volumes"] as Obj[] | undefined) ?? [];
  for (const v of volumes) {
    const cm = (v["configMap"] as Obj | undefined)?.["name"];
    const secret = (v["secret"] as Obj | undefined)?.["secretName"];
    if (cm !== undefined && !has("ConfigMap", cm))
      problems.push(`${describe(d)}: volume ${String(v["name"])} refers to ConfigMap/${String(cm)}, not in the stream`);
    if (secret !== undefined && !has("Secret", secret))
      problems.push(`${describe(d)}: volume ${String(v["name"])} refers to Secret/${String(secret)}, not in the stream`);
    if (typeof v["name"] !== "string" || !DNS1123_LABEL.test(v["name"]))
      problems.push(`${describe(d)}: volume name ${String(v["name"])} is not a DNS label`);
  }
  const volumeNames = new Set(volumes.map((v) => v["name"]));
  for (const c of containers(d)) {
    const ports = (c["ports"] as Obj[] | undefined) ?? [];
    const names = new Set<unknown>();
    const numbers = new Set<unknown>();
    for (const p of ports) {
      const n = p["name"];
      if (typeof n === "string") {
        if (n.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(n) || !/[a-z]/.test(n) || n.includes("--"))
          problems.push(`${describe(d)}: container port name ${n} is not an IANA service name (at most 15 characters, a letter, no "--")`);
        if (names.has(n)) problems.push(`${describe(d)}: container port name ${n} is used twice`);
        names.add(n);
      }
      if (numbers.has(p["containerPort"])) problems.push(`${describe(d)}: container port ${String(p["containerPort"])} is used twice`);
      numbers.add(p["containerPort"]);
    }
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      const port = ((c[probe] as Obj | undefined)?.["httpGet"] as Obj | undefined)?.["port"];
      if (typeof port === "string" && !names.has(port)) problems.push(`${describe(d)}: ${probe} port ${port} is no container port`);
    }
    for (const m of (c["volumeMounts"] as Obj[] | undefined) ?? []) {
      if (!volumeNames.has(m["name"])) problems.push(`${describe(d)}: volumeMount ${String(m["name"])} names no volume`);
    }
    for (const e of (c["env"] as Obj[] | undefined) ?? []) {
      if (typeof e["name"] !== "string" || !ENV_NAME.test(e["name"]))
        problems.push(`${describe(d)}: env name ${String(e["name"])} is not valid`);
    }
  }
  return problems;
}
