/**
 * The status server of a single-process deployment: the same routes as a multi deployment's
 * (statusRoutes: /status, /metrics, /metrics.json, /stats, /traces, /trace, /logs), answered from this
 * process, and registered in the "single" deployer's registry so that tools find it
 * (`$XDG_DATA_HOME/weaver/single/registry/<deployment>.json`). Traces are kept in the single
 * deployer's data folder as a multi deployer keeps its own.
 */
import {
  MAIN_COMPONENT,
  MetricsCollector,
  StatusServer,
  Traces,
  compareComponents,
  configSections,
  removeRegistration,
  shortName,
  snapshotMetrics,
  statusRoutes,
  takeSpans,
  traceFile,
  writeRegistration,
  type AppConfig,
  type DeploymentStatus,
  type Manifest,
  type RecentLogs,
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
  /** The recent log entries of the process's component loggers. */
  readonly logs: RecentLogs;
  readonly warn: (message: string) => void;
}

/** Starts the status server and registers the deployment; the returned function undoes both. */
export async function startSingleStatus(d: SingleDeployment): Promise<() => Promise<void>> {
  const started = Date.now();
  const replica = { app: d.app, deployment: d.deployment, replica: d.replica };
  const metrics = new MetricsCollector({ started, pull: async () => [{ ...replica, metrics: snapshotMetrics() }] });
  const traces = new Traces({ config: d.config, file: traceFile(SINGLE_DEPLOYER, d.deployment), pull: async () => takeSpans(), warn: d.warn });
  const server = new StatusServer(
    statusRoutes({
      status: () => singleStatus(d, started),
      metrics: () => metrics.metrics(),
      stats: () => metrics.stats(),
      traces: () => traces.current(),
      logs: () => d.logs,
    }),
  );
  const status = await server.listen();
  server.unref();
  writeRegistration(SINGLE_DEPLOYER, { deployment: d.deployment, app: d.app, status, pid: process.pid, started });
  metrics.start();
  traces.start();
  return async () => {
    removeRegistration(SINGLE_DEPLOYER, d.deployment);
    metrics.stop();
    await traces.stop();
    await server.close();
  };
}

/** One group holding every component, in this process. */
function singleStatus(d: SingleDeployment, started: number): DeploymentStatus {
  const components = d.manifest.components.map((c) => c.name).sort(compareComponents);
  const group = shortName(MAIN_COMPONENT);
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
    callGraph: d.manifest.callGraph,
  };
}
