/**
 * The status server of a single-process deployment: the same routes as every deployer's
 * (StatusServer of @weaver/runtime), answered from this process, which is the deployment's one
 * replica, and registered under the "single" deployer so that `weaver single status | logs |
 * metrics | profile | dashboard` find it. Traces and logs are kept in the single deployer's data
 * folder as a multi deployer keeps its own.
 */
import {
  MAIN_COMPONENT,
  StatusServer,
  callGraphOf,
  compareComponents,
  configSections,
  localReplica,
  shortName,
  type AppConfig,
  type DeploymentStatus,
  type LogSink,
  type Manifest,
} from "@weaver/runtime";
import type { ComponentHost } from "./host.js";

/** The deployer name single-process deployments register under. */
export const SINGLE_DEPLOYER = "single";

/** What the single-process status server describes. */
export interface SingleDeployment {
  readonly app: string;
  readonly deployment: string;
  readonly replica: string;
  readonly config: AppConfig;
  readonly manifest: Manifest;
  readonly host: ComponentHost;
  /** Where the process's component loggers write. */
  readonly logs: LogSink;
  readonly warn: (message: string) => void;
}

/** Starts the status server and registers the deployment; the returned function undoes both. */
export async function startSingleStatus(d: SingleDeployment): Promise<() => Promise<void>> {
  const started = Date.now();
  const group = shortName(MAIN_COMPONENT);
  const self = [localReplica(d.replica, group)];
  const server = await StatusServer.start({
    deployer: SINGLE_DEPLOYER,
    app: d.app,
    deployment: d.deployment,
    started,
    config: d.config,
    status: () => singleStatus(d, started, group),
    replicas: () => self,
    logs: d.logs.recent,
    warn: d.warn,
    unref: true,
  });
  return () => server.stop();
}

/** One group holding every component, in this process. */
function singleStatus(d: SingleDeployment, started: number, group: string): DeploymentStatus {
  const components = d.manifest.components.map((c) => c.name).sort(compareComponents);
  return {
    app: d.app,
    deployment: d.deployment,
    started,
    pid: process.pid,
    configFile: d.config.file,
    config: configSections(d.config, SINGLE_DEPLOYER),
    groups: [{ name: group, components, replicas: [{ id: d.replica, pid: process.pid, state: "ready", started, restarts: 0 }] }],
    components: components.map((name) => ({ name, short: shortName(name), group })),
    listeners: Object.entries(d.host.boundListeners())
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, address]) => ({ name, address })),
    callGraph: callGraphOf(d.manifest).edges,
  };
}
