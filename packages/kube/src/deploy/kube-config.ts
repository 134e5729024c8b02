/**
 * kube.yaml: how `weaver kube deploy` deploys an app to Kubernetes. Read with every problem
 * reported at once, each as `kube.yaml:<line>: <key>: <what is wrong; the fix>`. The keys (camelCase,
 * as Service Weaver's weaver-kube spells them) are in TOP_KEYS; what they mean is in the README's
 * Kubernetes section. The checks against the app itself are in app-plan.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Node } from "yaml";
import { parseDuration } from "@weaver/runtime";
import { dnsLabelProblem, imageProblem, platformProblem, subdomainProblem } from "./kube-values.js";
import { readGroups, type GroupSpec } from "./kube-groups.js";
import { YamlFile, join, mapEntries, readBoolean, readInteger, readString, type Entries } from "./yaml-reader.js";

/** A listener as kube.yaml gives it. */
export interface ListenerSpec {
  /** Exposed outside the cluster (a LoadBalancer Service) rather than inside it (ClusterIP). */
  readonly public: boolean;
  /** The Service's port. */
  readonly port: number;
  /** The Service's name, when given (default: the listener's name as a DNS label). */
  readonly serviceName: string | undefined;
  /** The line of its key, for the checks against the app. */
  readonly line: number;
}

/** A probe's tuning, or false when it is off. */
export type ProbeSpec = false | Readonly<Partial<Record<(typeof PROBE_KEYS)[number], number>>>;

/** kube.yaml, checked. */
export interface KubeConfig {
  /** The path of kube.yaml as given. */
  readonly file: string;
  /** weaver.toml's absolute path, and the line appConfig is on. */
  readonly appConfig: string;
  readonly appConfigLine: number;
  readonly image: string;
  readonly namespace: string;
  readonly platform: { readonly os: string; readonly arch: string };
  readonly mtls: boolean;
  readonly certLifetimeMs: number;
  readonly listeners: Readonly<Record<string, ListenerSpec>>;
  readonly groups: Readonly<Record<string, GroupSpec>>;
  readonly probes: { readonly readiness: ProbeSpec; readonly liveness: ProbeSpec };
  /** How long a rollout to this version takes, when traffic moves in steps. */
  readonly rolloutMs: number | undefined;
  /** The Gateway the HTTPRoutes attach to (given with rollout). */
  readonly gateway: { readonly name: string; readonly namespace: string } | undefined;
}

/** The keys at the top of kube.yaml. */
export const TOP_KEYS = [
  "appConfig",
  "image",
  "namespace",
  "platform",
  "mtls",
  "certLifetime",
  "listeners",
  "groups",
  "probes",
  "rollout",
  "gateway",
] as const;
const LISTENER_KEYS = ["public", "port", "serviceName"] as const;
const PROBE_KEYS = ["periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds"] as const;

/** The defaults of the optional keys. */
export const DEFAULTS = { namespace: "default", platform: "linux/amd64", mtls: true, certLifetime: "1h", port: 80 } as const;
/** The shortest and longest certificate lifetimes (as [multi] cert_lifetime). */
const CERT_LIFETIME = { min: 2_000, max: 30 * 24 * 3_600_000 };

/** Reads kube.yaml; its problems are left in `y.problems` (see YamlFile.failIfProblems). */
export function readKubeConfig(file: string): { config: KubeConfig; yaml: YamlFile } {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const y = new YamlFile(file, "");
    y.problems.push({
      line: 1,
      key: "",
      text: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of kube.yaml`,
    });
    return { config: parseKubeConfig(y), yaml: y };
  }
  const y = new YamlFile(file, text);
  return { config: parseKubeConfig(y), yaml: y };
}

/** Checks the parsed file and fills in the defaults. */
function parseKubeConfig(y: YamlFile): KubeConfig {
  const top = mapEntries(y, y.problems.length > 0 ? null : (y.document.contents as Node | null), "", TOP_KEYS);
  const str = (key: string, fallback: string, check?: (v: string) => string | undefined): string => {
    const e = top.get(key);
    if (e?.value == null) return fallback;
    const v = readString(y, e.value, key);
    const problem = v === undefined ? undefined : check?.(v);
    if (problem !== undefined) y.report(e.value, key, `"${v}" ${problem}`);
    return v ?? fallback;
  };
  const required = (key: string, fix: string): void => {
    if (top.get(key)?.value == null && y.document.errors.length === 0) y.report(null, key, `is missing; ${fix}`);
  };
  required("appConfig", "give the path of the app's weaver.toml, relative to kube.yaml, e.g. appConfig: weaver.toml");
  required("image", "give the image to build and run, e.g. image: ghcr.io/me/reverser:v1");
  const appConfig = str("appConfig", "");
  const namespace = str("namespace", DEFAULTS.namespace, dnsLabelProblem);
  const platform = str("platform", DEFAULTS.platform, platformProblem).split("/");
  const lifetime = str("certLifetime", DEFAULTS.certLifetime);
  const certLifetimeMs = parseDuration(lifetime);
  if (certLifetimeMs === undefined || certLifetimeMs < CERT_LIFETIME.min || certLifetimeMs > CERT_LIFETIME.max)
    y.report(
      top.get("certLifetime")?.value,
      "certLifetime",
      `"${lifetime}" is not a duration from "2s" to "720h"; give one such as "1h" or "10m"`,
    );
  const rollout = top.get("rollout")?.value == null ? undefined : str("rollout", "");
  const rolloutMs = rollout === undefined ? undefined : parseDuration(rollout);
  if (rollout !== undefined && !(rolloutMs !== undefined && rolloutMs >= 5_000))
    y.report(top.get("rollout")?.value, "rollout", `"${rollout}" is not a duration of at least 5s; give one such as "10m"`);
  const gateway = readGateway(y, top.get("gateway"), namespace);
  if (rollout !== undefined && gateway === undefined && top.get("gateway")?.value == null)
    y.report(
      top.get("rollout")?.keyNode,
      "gateway",
      "is missing; a rollout moves traffic with HTTPRoutes attached to a Gateway: give gateway: {name: <gateway>, namespace: <its namespace>}",
    );
  const mtlsNode = top.get("mtls")?.value;
  return {
    file: y.file,
    appConfig: appConfig === "" ? "" : resolve(dirname(y.file), appConfig),
    appConfigLine: y.line(top.get("appConfig")?.value),
    image: str("image", "", imageProblem),
    namespace,
    platform: { os: platform[0] ?? "linux", arch: platform[1] ?? "amd64" },
    mtls: mtlsNode == null ? DEFAULTS.mtls : (readBoolean(y, mtlsNode, "mtls") ?? DEFAULTS.mtls),
    certLifetimeMs: certLifetimeMs ?? 3_600_000,
    listeners: readListeners(y, top.get("listeners")?.value),
    groups: readGroups(y, top.get("groups")?.value),
    probes: readProbes(y, top.get("probes")?.value),
    rolloutMs,
    gateway,
  };
}

/** listeners: name → {public, port, serviceName}. */
function readListeners(y: YamlFile, node: Node | null | undefined): Record<string, ListenerSpec> {
  const out: Record<string, ListenerSpec> = {};
  for (const [name, { keyNode, value }] of mapEntries(y, node, "listeners", "any")) {
    const path = join("listeners", name);
    const e = mapEntries(y, value, path, LISTENER_KEYS);
    const pub = e.get("public")?.value;
    const port = e.get("port")?.value;
    const svc = e.get("serviceName")?.value;
    const serviceName = svc == null ? undefined : readString(y, svc, join(path, "serviceName"));
    const problem =
      serviceName === undefined
        ? undefined
        : (dnsLabelProblem(serviceName) ??
          (/^[a-z]/.test(serviceName) ? undefined : "does not start with a letter, as a Service name must"));
    if (problem !== undefined) y.report(svc, join(path, "serviceName"), `"${serviceName}" ${problem}`);
    out[name] = {
      public: pub == null ? false : (readBoolean(y, pub, join(path, "public")) ?? false),
      port: port == null ? DEFAULTS.port : (readInteger(y, port, join(path, "port"), 1, 65535, "a port") ?? DEFAULTS.port),
      serviceName,
      line: y.line(keyNode),
    };
  }
  return out;
}

/** probes: {readiness, liveness}, each false or its tuning. */
function readProbes(y: YamlFile, node: Node | null | undefined): KubeConfig["probes"] {
  const e = mapEntries(y, node, "probes", ["readiness", "liveness"]);
  const probe = (name: string): ProbeSpec => {
    const value = e.get(name)?.value;
    const path = join("probes", name);
    if (value == null) return {};
    if (value.toJSON() === false) return false;
    const out: Partial<Record<(typeof PROBE_KEYS)[number], number>> = {};
    for (const [key, v] of mapEntries(y, value, path, PROBE_KEYS)) {
      if (v.value === null) continue;
      const n = readInteger(y, v.value, join(path, key), key === "initialDelaySeconds" ? 0 : 1, 3600);
      if (n !== undefined) out[key as (typeof PROBE_KEYS)[number]] = n;
    }
    return out;
  };
  return { readiness: probe("readiness"), liveness: probe("liveness") };
}

/** gateway: {name, namespace}. */
function readGateway(
  y: YamlFile,
  entry: Entries extends Map<string, infer V> ? V | undefined : never,
  namespace: string,
): KubeConfig["gateway"] {
  if (entry?.value == null) return undefined;
  const e = mapEntries(y, entry.value, "gateway", ["name", "namespace"]);
  const nameNode = e.get("name")?.value;
  if (nameNode == null) {
    y.report(entry.value, "gateway.name", "is missing; give the name of the Gateway the HTTPRoutes attach to");
    return undefined;
  }
  const name = readString(y, nameNode, "gateway.name");
  const nameProblem = name === undefined ? undefined : subdomainProblem(name);
  if (nameProblem !== undefined) y.report(nameNode, "gateway.name", `"${name}" ${nameProblem}`);
  const nsNode = e.get("namespace")?.value;
  const ns = nsNode == null ? namespace : (readString(y, nsNode, "gateway.namespace") ?? namespace);
  const nsProblem = dnsLabelProblem(ns);
  if (nsProblem !== undefined) y.report(nsNode, "gateway.namespace", `"${ns}" ${nsProblem}`);
  return name === undefined ? undefined : { name, namespace: ns };
}
