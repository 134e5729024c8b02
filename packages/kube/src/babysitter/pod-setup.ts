/**
 * What a babysitter learns before it starts anything: the pod's identity and ports from its
 * environment, the version's wiring, the app in the image, and the CA. Each check fails with one
 * error that says what is wrong and how to fix it; an image built from other code than the one
 * `weaver kube deploy` read is refused, so a pod never serves one version's wiring with another's code.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CertificateAuthority, WeaverError, loadDeployable, type Deployable } from "@weaver/runtime";
import {
  APP_DIR,
  CA_DIR,
  CONFIG_DIR,
  ENV,
  HEALTH_PORT,
  RPC_PORT,
  WIRING_FILE,
  parseWiring,
  type KubeWiring,
  type WiringGroup,
} from "../wiring.js";

/** Everything a babysitter runs with. */
export interface PodSetup {
  readonly wiring: KubeWiring;
  /** This pod's group. */
  readonly group: WiringGroup;
  readonly podName: string;
  readonly namespace: string;
  readonly podIp: string;
  readonly bindHost: string;
  readonly rpcPort: number;
  readonly healthPort: number;
  /** The API server URL for tests; absent in a pod. */
  readonly apiServer: string | undefined;
  /** The app, loaded from the image. */
  readonly app: Deployable;
  /** The version's CA, when the wiring says mtls. */
  readonly authority: CertificateAuthority | undefined;
}

/** Reads and checks everything; throws an Error that says what is wrong. */
export function podSetup(env: NodeJS.ProcessEnv = process.env): PodSetup {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "")
      throw new Error(
        `${name} is not set: the manifests of weaver kube deploy set it (from the downward API or the pod spec); run the babysitter in a pod they made`,
      );
    return value;
  };
  const port = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === "") return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${text} is not a port number (1 to 65535)`);
    return n;
  };
  const wiringFile = env[ENV.wiring] || join(CONFIG_DIR, WIRING_FILE);
  let text: string;
  try {
    text = readFileSync(wiringFile, "utf8");
  } catch (e) {
    throw new Error(
      `cannot read the wiring ${wiringFile} (${(e as Error).message}): the version's ConfigMap must be mounted at ${CONFIG_DIR}; apply the manifests of weaver kube deploy`,
    );
  }
  const wiring = parseWiring(text, wiringFile);
  const groupName = required(ENV.group);
  const group = wiring.groups.find((g) => g.name === groupName);
  if (group === undefined)
    throw new Error(
      `${ENV.group}=${groupName}, but the wiring ${wiringFile} has no such group (it has ${wiring.groups.map((g) => g.name).join(", ")}): the Deployment and the ConfigMap come from different weaver kube deploy runs; apply one run's manifests`,
    );
  const podName = required(ENV.podName);
  const namespace = required(ENV.podNamespace);
  const podIp = required(ENV.podIp);
  const app = loadApp(wiring, env[ENV.appDir] || APP_DIR);
  return {
    wiring,
    group,
    podName,
    namespace,
    podIp,
    bindHost: env[ENV.bindHost] || "0.0.0.0",
    rpcPort: port(ENV.rpcPort, RPC_PORT),
    healthPort: port(ENV.healthPort, HEALTH_PORT),
    apiServer: env[ENV.apiServer] || undefined,
    app,
    authority: wiring.mtls ? loadAuthority(env[ENV.caDir] || CA_DIR) : undefined,
  };
}

/** Loads the app from the image and checks it is the one the wiring was made for. */
function loadApp(wiring: KubeWiring, appDir: string): Deployable {
  const configFile = join(appDir, wiring.configPath);
  let configBytes: Buffer;
  try {
    configBytes = readFileSync(configFile);
  } catch (e) {
    throw new Error(
      `cannot read the app's config ${configFile} (${(e as Error).message}): the image has no app at ${appDir}; build it with the Dockerfile of weaver kube deploy`,
    );
  }
  const rebuild =
    "the image was built from other code than weaver kube deploy read; rebuild it with docker build (the command weaver kube deploy printed) and deploy again";
  const sha = createHash("sha256").update(configBytes).digest("hex");
  if (sha !== wiring.configSha256)
    throw new Error(
      `${rebuild}: the image's ${wiring.configPath} has sha256 ${sha.slice(0, 12)}, the deployed one ${wiring.configSha256.slice(0, 12)}`,
    );
  let app: Deployable;
  try {
    // As weaver kube deploy read it: the sections of other deployers ([multi], ...) are theirs.
    app = loadDeployable(configFile, [], { otherSections: "any" });
  } catch (e) {
    if (!(e instanceof WeaverError && e.code === "WEAVER_ERR_BINARY")) throw e;
    throw new Error(
      `the app's entry is not in the image (${e.message}): build the app before docker build, with the Dockerfile of weaver kube deploy`,
    );
  }
  if (app.manifest.versionHash !== wiring.appVersion)
    throw new Error(`${rebuild}: the image's app has version ${app.manifest.versionHash}, the deployed one ${wiring.appVersion}`);
  return app;
}

/** The version's CA, from the mounted Secret. */
function loadAuthority(dir: string): CertificateAuthority {
  try {
    return CertificateAuthority.fromPem(readFileSync(join(dir, "ca.crt"), "utf8"), readFileSync(join(dir, "ca.key"), "utf8"));
  } catch (e) {
    throw new Error(
      `the wiring says mtls, but the CA in ${dir} cannot be used (${(e as Error).message}): the version's CA Secret must be mounted there; apply the manifests of weaver kube deploy`,
    );
  }
}
