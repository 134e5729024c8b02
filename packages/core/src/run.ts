/**
 * run(): the entry point of every Weaver app. The app's main file imports its generated code
 * (`import "./weaver_gen.js";`, which registers the components) and calls `await run(App)`. run()
 * reads the config named by SERVICEWEAVER_CONFIG (none is fine), prints the banner, creates Main
 * and the components it reaches, and calls main(). All components run in this process and call
 * each other through their local stubs.
 *
 * Lifecycle: components init() in dependency order before main(), each within the init timeout;
 * on SIGINT or SIGTERM, or when the process runs out of work after main() returned, listeners stop
 * and shutdown() hooks run in reverse order, bounded by SHUTDOWN_TIMEOUT_MS. A failure to start
 * prints one line and exits 1.
 *
 * When a deployer starts the process as one replica of a deployment (WEAVER_REPLICA is set), run()
 * hands over to the weavelet of @weaver/runtime, which has this process's component host create
 * only some components and calls the others over RPC.
 */
import { randomUUID } from "node:crypto";
import {
  LogSink,
  MAIN_COMPONENT,
  WeaverError,
  appEnvironment,
  banner,
  colorEnabled,
  SINGLE_SECTION,
  listenerAddress,
  loadConfig,
  logFile,
  parseAddress,
  REPLICA_ENV,
  runtimeError,
  shortName,
  startWeavelet,
  type Address,
  type AppConfig,
  type Manifest,
} from "@weaver/runtime";
import { emptyConfig, getComponent, installTracing, readReplicaArgs, registeredApps, setSpanResource } from "@weaver/runtime/core";
import { pino } from "pino";
import type { Main } from "./component.js";
import { ComponentHost } from "./host.js";
import { createRootLogger, sinkDestination } from "./logger.js";
import { SINGLE_DEPLOYER, startSingleStatus } from "./single-status.js";

/** How long shutdown() hooks may take, together, before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Runs the app whose main component is `App`. Resolves once main() has returned; the process
 * then lives on while it has work (a listening server keeps it alive) and shuts down gracefully
 * on SIGINT or SIGTERM. Never rejects: a failure to start is printed and exits the process with 1.
 *
 * @example
 * import "./weaver_gen.js";
 *
 * export class App extends Implements<Main>() {
 *   async main() { console.log("Hello, World"); }
 * }
 * await run(App);
 */
export function run(App: new () => Main): Promise<void> {
  return start(App);
}

/**
 * Runs this process as one replica of the app whose generated code it imported, hosting what
 * WEAVER_REPLICA says (never Main): the processes of the testing kit's multi runner. Like run(),
 * never rejects.
 */
export function runReplica(): Promise<void> {
  return start(undefined);
}

async function start(App: (new () => Main) | undefined): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  try {
    const manifest = generatedApp(App?.name ?? "App");
    const file = process.env["SERVICEWEAVER_CONFIG"];
    // The process checks what it uses; the sections of deployers it does not know are theirs to check.
    const config = file ? loadConfig(file, { manifest, others: "any" }) : emptyConfig();
    Object.assign(process.env, appEnvironment(config, {}));
    const app = config.name ?? manifest.app;
    const replica = readReplicaArgs();
    installTracing(config.tracesPerSecond);
    if (replica !== undefined) {
      setSpanResource({ app, deployment: replica.deployment, replica: replica.id });
      // A deployer collects replicas' log entries as JSON lines on their own pipe.
      const destination = replica.logFd === undefined ? sinkDestination() : pino.destination({ dest: replica.logFd, sync: true });
      const logger = createRootLogger({ app, deployment: replica.deployment, replica: replica.id }, destination);
      const weavelet = await startWeavelet({
        args: replica,
        app: manifest,
        logger,
        host: (placement) =>
          new ComponentHost({
            config,
            logger,
            ...(App === undefined ? {} : { mainClass: App }),
            process: `replica ${replica.id.slice(0, 8)} of ${replica.hosts.map(shortName).join(", ")}`,
            ...placement,
          }),
      });
      stop = () => weavelet.stop();
      installShutdown(stop);
      if (replica.hosts.includes(MAIN_COMPONENT)) await ((await weavelet.host.instance(MAIN_COMPONENT)) as Main).main();
      return;
    }
    if (App === undefined) throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `${REPLICA_ENV} is not set`);
    const deployment = randomUUID();
    const replicaId = randomUUID();
    setSpanResource({ app, deployment, replica: replicaId });
    process.stdout.write(banner(app, deployment, colorEnabled(process.stdout)));
    const logs = new LogSink({ file: logFile(SINGLE_DEPLOYER, deployment), print: process.stderr });
    const logger = createRootLogger({ app, deployment, replica: replicaId }, sinkDestination(logs));
    const host = new ComponentHost({
      config,
      logger,
      listener: (name) => ({ address: singleAddress(config, name) }),
      mainClass: App,
    });
    stop = () => host.shutdown().finally(() => logs.close());
    const main = (await host.instance(MAIN_COMPONENT)) as Main;
    const stopStatus = await startSingleStatus({
      app,
      deployment,
      replica: replicaId,
      config,
      manifest,
      host,
      logs,
      warn: (m) => logger.warn(m),
    });
    stop = () => host.shutdown().finally(() => Promise.all([stopStatus(), logs.close()]));
    installShutdown(stop);
    await main.main();
  } catch (e) {
    await failAndExit(e, stop);
  }
}

function singleAddress(config: AppConfig, name: string): Address {
  const text = listenerAddress(config, SINGLE_SECTION.name, name) ?? ":0";
  return parseAddress(text) as Address; // loadConfig has already refused bad addresses
}

let stopping = false;

/**
 * A signal that repeats within this many milliseconds is the same request: a terminal's Ctrl-C
 * reaches every process of the foreground group, so a deployer in front of the app may pass the
 * same SIGINT on a moment later. A second signal after that means "stop waiting".
 */
const REPEAT_WINDOW_MS = 500;

function installShutdown(shutdown: () => Promise<void>): void {
  let firstSignalAt = 0;
  const stop = (code: number): void => {
    if (stopping) {
      if (firstSignalAt > 0 && Date.now() - firstSignalAt > REPEAT_WINDOW_MS) process.exit(130);
      return;
    }
    stopping = true;
    firstSignalAt = Date.now();
    const timer = setTimeout(() => process.exit(code), SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    void shutdown().finally(() => process.exit(code));
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  // When main() has returned and nothing is left to do, run the shutdown hooks before exiting.
  process.once("beforeExit", () => {
    if (!stopping) {
      stopping = true;
      void shutdown();
    }
  });
}

async function failAndExit(e: unknown, stop: (() => Promise<void>) | undefined): Promise<never> {
  const message = e instanceof WeaverError ? e.message : ((e as Error)?.stack ?? String(e));
  process.stderr.write(`weaver: ${message}\n`);
  if (stop !== undefined) await stop().catch(() => {});
  process.exit(1);
}

/**
 * The manifest of the app whose generated code registered Main. The app's main file imports its
 * generated code (`import "./weaver_gen.js";`) before it calls run(), so by now it is loaded,
 * however the app was started: node, node --enable-source-maps, tsx, or bundled.
 */
function generatedApp(main: string): Manifest {
  if (!registeredApps().some((a) => a.components.some((c) => c.name === MAIN_COMPONENT))) {
    throw runtimeError(
      "WEAVER_ERR_NOT_GENERATED",
      `run(${main}) found no generated code: add \`import "./weaver_gen.js";\` at the top of the file that calls run() (\`weaver generate\` writes weaver_gen.ts beside it), then rebuild`,
    );
  }
  return getComponent(MAIN_COMPONENT).app;
}
