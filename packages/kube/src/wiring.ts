/**
 * The contract between `weaver kube deploy`, which writes an app version's manifests, and
 * `weaver kube babysitter`, which runs in every pod of that version: the names, labels, ports,
 * paths and environment both sides agree on, and the wiring (deployment.json in the version's
 * ConfigMap) that tells each pod what the deployment looks like.
 *
 * A version is one `weaver kube deploy`: a deployment id (a UUID) whose first 8 characters name
 * and label every object of it. Pods find the pods of other groups by watching the API server for
 * pods with the same app and version labels (never across versions), and call them on their
 * RPC_PORT_NAME container port.
 */

/** The project's label and annotation prefix. */
export const LABEL_PREFIX = "weaver.dev";

/** Label keys put on every object (app, version) and on a group's pods (group). */
export const LABELS = {
  /** The app's name (a DNS label). */
  app: `${LABEL_PREFIX}/app`,
  /** The version: the deployment id's first 8 characters. */
  version: `${LABEL_PREFIX}/version`,
  /** The group's DNS label (WiringGroup.label). */
  group: `${LABEL_PREFIX}/group`,
} as const;

/** The container port on which a replica serves RPC to the replicas of other groups. */
export const RPC_PORT = 10000;
/** Its name in the pod spec, which the babysitter reads from peer pods. */
export const RPC_PORT_NAME = "weaver-rpc";
/** The babysitter's HTTP port: /healthz, /readyz and /metrics (Prometheus text). */
export const HEALTH_PORT = 9090;
/** Its name in the pod spec (probes and Prometheus annotations refer to it). */
export const HEALTH_PORT_NAME = "weaver-health";

/** Where the version's ConfigMap is mounted in each pod: deployment.json and weaver.toml. */
export const CONFIG_DIR = "/weaver/config";
/** The wiring's file name in CONFIG_DIR (and its key in the ConfigMap). */
export const WIRING_FILE = "deployment.json";
/** Where the CA Secret (ca.crt, ca.key) is mounted when mTLS is on. */
export const CA_DIR = "/weaver/ca";
/** Where the app is in the image (the Dockerfile's WORKDIR). */
export const APP_DIR = "/app";

/** The environment each pod's babysitter gets (the downward API fills the POD_* ones). */
export const ENV = {
  /** The wiring file (default CONFIG_DIR/WIRING_FILE). */
  wiring: "WEAVER_KUBE_WIRING",
  /** The group this pod runs (WiringGroup.name). */
  group: "WEAVER_KUBE_GROUP",
  /** Where the CA's ca.crt and ca.key are (default CA_DIR), when the wiring says mtls. */
  caDir: "WEAVER_KUBE_CA_DIR",
  /** The pod's name, namespace and IP (downward API: metadata.name, metadata.namespace, status.podIP). */
  podName: "POD_NAME",
  podNamespace: "POD_NAMESPACE",
  podIp: "POD_IP",
  /**
   * The host the replica's RPC server, its listeners and the babysitter's HTTP server bind (default
   * 0.0.0.0, every address of the pod); tests that run pods as local processes set 127.0.0.1.
   */
  bindHost: "WEAVER_KUBE_BIND_HOST",
  /** Overrides RPC_PORT and HEALTH_PORT, for tests that run several pods on one host. */
  rpcPort: "WEAVER_KUBE_RPC_PORT",
  healthPort: "WEAVER_KUBE_HEALTH_PORT",
  /**
   * The API server, for tests: a URL (http://127.0.0.1:<port>) used with no credentials. In a pod,
   * the babysitter uses the in-cluster configuration (service account token and CA) instead.
   */
  apiServer: "WEAVER_KUBE_API_SERVER",
  /** Where the app is (default APP_DIR), for tests that run pods as local processes. */
  appDir: "WEAVER_KUBE_APP_DIR",
} as const;

/** One group of the version, as every pod is told. */
export interface WiringGroup {
  /** The weaver group name, as weaver multi names it: the short name of its first component ("main", "reverser.Reverser"). */
  readonly name: string;
  /** Its DNS-1123 label ("main", "reverser-reverser"), the value of LABELS.group on its pods. */
  readonly label: string;
  /** The full names of its components. */
  readonly components: readonly string[];
  /** The listeners it hosts: listener name → the container port it binds. */
  readonly listeners: Readonly<Record<string, number>>;
}

/** The wiring of one version (deployment.json). */
export interface KubeWiring {
  /** The wiring format; the babysitter refuses another. */
  readonly format: 1;
  /** The app's name (as weaver.toml names it, else the manifest). */
  readonly app: string;
  /** The deployment id (a UUID). */
  readonly deployment: string;
  /** The version: the deployment id's first 8 characters. */
  readonly version: string;
  /** The app's version hash (Manifest.versionHash): the babysitter refuses an image built from other code. */
  readonly appVersion: string;
  /** The sha256 (hex) of weaver.toml as deploy read it: the babysitter refuses an image with another. */
  readonly configSha256: string;
  /** The app config's path inside the image, relative to APP_DIR (e.g. "weaver.toml"). */
  readonly configPath: string;
  /** The namespace the objects are in. */
  readonly namespace: string;
  /** The groups, in status order (Main's first). */
  readonly groups: readonly WiringGroup[];
  /** Mutual TLS between replicas, with the CA from the version's Secret. */
  readonly mtls: boolean;
  /** How long each certificate the babysitter signs is valid. */
  readonly certLifetimeMs: number;
}

/** Reads and checks a wiring; throws an Error that says what is wrong with `file`. */
export function parseWiring(text: string, file: string): KubeWiring {
  let w: Partial<KubeWiring>;
  try {
    w = JSON.parse(text) as Partial<KubeWiring>;
  } catch (e) {
    throw new Error(`${file} is not JSON (${(e as Error).message}); it is written by weaver kube deploy`);
  }
  if (w?.format !== 1) throw new Error(`${file} has wiring format ${String(w?.format)}, not 1: deploy with the weaver kube of the image`);
  for (const key of ["app", "deployment", "version", "appVersion", "configSha256", "configPath", "namespace"] as const) {
    if (typeof w[key] !== "string" || w[key] === "") throw new Error(`${file}: ${key} must be a non-empty string`);
  }
  if (!Array.isArray(w.groups) || w.groups.length === 0) throw new Error(`${file}: groups must be a non-empty list`);
  for (const g of w.groups) {
    if (typeof g?.name !== "string" || typeof g.label !== "string" || !Array.isArray(g.components) || typeof g.listeners !== "object")
      throw new Error(`${file}: a group is not {name, label, components, listeners}`);
  }
  if (typeof w.mtls !== "boolean" || !(typeof w.certLifetimeMs === "number" && w.certLifetimeMs > 0))
    throw new Error(`${file}: mtls must be a boolean and certLifetimeMs a positive number`);
  return w as KubeWiring;
}
