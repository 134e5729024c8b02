/**
 * weaver-minimal: a deployer in one file, written against the public deployer API only, to show
 * that it is enough. Plugged into weaver as `weaver minimal` (an executable weaver-minimal on
 * PATH), it runs one process per component, restarts a process that dies once it has been
 * ready, lets Main's process bind the listeners itself (no proxy), and mounts the six commands
 * every deployer shares (status, logs, metrics, profile, purge, dashboard). The conformance suite
 * runs it as it runs `weaver single` and `weaver multi`.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  ControlServer,
  Envelope,
  LogSink,
  ReplicaClient,
  StatusServer,
  appEnvironment,
  banner,
  callGraphOf,
  colorEnabled,
  compareComponents,
  configSections,
  defineSection,
  listenerAddress,
  loadDeployable,
  logFile,
  privateSocketDir,
  shortName,
  type Deployable,
  type CallGraph,
  type DeploymentStatus,
  type ListenerConfig,
  type LogEntry,
  Routing,
  type RouteEntry,
} from "@weaver/runtime";
import { ExitStatus, exitStatusOf, newCommand, newGroup, toolCommands } from "@weaver/runtime/tool";

const DEPLOYER = "minimal";

/** [minimal]: where the listeners bind. */
const SECTION = defineSection<{ readonly listeners?: Readonly<Record<string, ListenerConfig>> }>({
  name: DEPLOYER,
  doc: "The minimal deployer: one process per component, listeners bound by Main's process.",
  keys: {},
  listeners: true,
});

/** One component's process, kept alive. */
interface Replica {
  readonly component: string;
  readonly address: string;
  id: string;
  pid: number;
  started: number;
  restarts: number;
  envelope?: Envelope;
  client?: ReplicaClient;
  listeners: Readonly<Record<string, string>>;
  lines: string[];
}

/** A running deployment. */
class Deployment {
  readonly id = randomUUID();
  readonly started = Date.now();
  readonly #d: Deployable;
  /** Who may call whom: the edges routes follow and the status shows. */
  readonly #graph: CallGraph;
  readonly #dir = privateSocketDir("weaver-minimal-");
  readonly #log: LogSink;
  readonly #replicas: Replica[];
  readonly #control: ControlServer;
  #status: StatusServer | undefined;
  readonly #routing = new Routing();
  #stopping = false;
  /** Settles with the reason the deployment cannot run. */
  readonly failed: Promise<string>;
  #fail: (why: string) => void = () => {};

  constructor(d: Deployable) {
    this.#d = d;
    this.#graph = callGraphOf(d.manifest);
    this.#log = new LogSink({ file: logFile(DEPLOYER, this.id), print: process.stdout });
    this.#replicas = [...d.manifest.components]
      .sort((a, b) => compareComponents(a.name, b.name))
      .map((c, i) => ({
        component: c.name,
        address: `unix:${join(this.#dir, `${i}.sock`)}`,
        id: "",
        pid: -1,
        started: 0,
        restarts: 0,
        listeners: {},
        lines: [],
      }));
    this.failed = new Promise((resolve) => (this.#fail = resolve));
    this.#control = new ControlServer(
      { deployment: this.id, version: d.manifest.versionHash },
      {
        ready: (r) => this.#ready(r.id, r.listeners),
        refused: (_id, message) => this.#fail(message),
        watchRoutes: (r) => this.#routing.watch(r.version, () => this.#routes(this.#replicas.find((x) => x.id === r.id)?.component)),
      },
    );
  }

  get app(): string {
    return this.#d.config.name ?? this.#d.manifest.app;
  }

  async start(): Promise<void> {
    await this.#control.listen(`unix:${join(this.#dir, "control.sock")}`);
    this.#status = await StatusServer.start({
      deployer: DEPLOYER,
      app: this.app,
      deployment: this.id,
      started: this.started,
      config: this.#d.config,
      status: () => this.#statusNow(),
      replicas: () => this.#replicas.flatMap((r) => (r.client === undefined ? [] : [r.client])),
      logs: this.#log.recent,
      warn: (m) => this.#log.system(this.app, this.id, "warn", m),
    });
    for (const r of this.#replicas) this.#launch(r);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#status?.stop();
    await Promise.all(this.#replicas.map((r) => r.envelope?.stop()));
    this.#routing.close();
    await this.#control.close();
    await this.#log.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #launch(r: Replica): void {
    const { config, manifest, binary } = this.#d;
    const listeners: Record<string, string> = {};
    for (const l of manifest.components.find((c) => c.name === r.component)?.listeners ?? []) {
      listeners[l.name] = listenerAddress(config, DEPLOYER, l.name) ?? "127.0.0.1:0";
    }
    r.id = randomUUID();
    r.started = Date.now();
    r.lines = [];
    const envelope = new Envelope({
      binary,
      args: config.args,
      env: appEnvironment(config),
      configFile: config.file,
      app: this.app,
      replica: {
        deployment: this.id,
        id: r.id,
        hosts: [r.component],
        listen: r.address,
        routes: this.#routes(r.component),
        listeners,
        control: `unix:${join(this.#dir, "control.sock")}`,
      },
      onEntry: (e: LogEntry) => {
        this.#log.write(e);
        r.lines = [...r.lines.slice(-9), e.msg];
      },
    });
    r.envelope = envelope;
    r.pid = envelope.pid;
    const id = r.id;
    void envelope.exited.then((exit) => {
      if (this.#stopping || r.id !== id) return;
      const wasReady = r.client !== undefined;
      r.client?.close();
      r.client = undefined;
      this.#routing.changed();
      const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      if (!wasReady)
        return this.#fail(
          `${shortName(r.component)} ${how} before it was ready. Its last lines:\n${r.lines.map((l) => `    ${l}`).join("\n")}`,
        );
      r.restarts++;
      this.#log.system(this.app, this.id, "warn", `the process of ${shortName(r.component)} ${how}; restarting it`);
      setTimeout(() => this.#stopping || this.#launch(r), 200);
    });
  }

  #ready(id: string, listeners: Readonly<Record<string, string>>): void {
    const r = this.#replicas.find((x) => x.id === id);
    if (r === undefined) return;
    r.listeners = listeners;
    r.client = new ReplicaClient(
      { deployment: this.id, version: this.#d.manifest.versionHash },
      { id, address: r.address, group: shortName(r.component), pid: r.pid },
    );
    this.#routing.changed();
  }

  /** The ready replicas of every component `component` calls. */
  #routes(component: string | undefined): Record<string, RouteEntry[]> {
    const routes: Record<string, RouteEntry[]> = {};
    for (const [caller, callee] of this.#graph.edges) {
      if (caller !== component) continue;
      routes[callee] = this.#replicas
        .filter((r) => r.component === callee && r.client !== undefined)
        .map((r) => ({ id: r.id, address: r.address }));
    }
    return routes;
  }

  #statusNow(): DeploymentStatus {
    const { config } = this.#d;
    return {
      app: this.app,
      deployment: this.id,
      started: this.started,
      pid: process.pid,
      configFile: config.file,
      config: configSections(config, DEPLOYER),
      groups: this.#replicas.map((r) => ({
        name: shortName(r.component),
        components: [r.component],
        replicas: [
          { id: r.id, pid: r.pid, state: r.client !== undefined ? "ready" : "starting", started: r.started, restarts: r.restarts },
        ],
      })),
      components: this.#replicas.map((r) => ({ name: r.component, short: shortName(r.component), group: shortName(r.component) })),
      listeners: this.#replicas.flatMap((r) => Object.entries(r.listeners).map(([name, address]) => ({ name, address }))),
      callGraph: this.#graph.edges,
    };
  }
}

/** `weaver minimal deploy <config>`: runs the app until Ctrl-C; fails when a process dies before it is ready. */
async function deploy(file: string): Promise<number> {
  const deployment = new Deployment(loadDeployable(file, [SECTION]));
  process.stdout.write(banner(deployment.app, deployment.id, colorEnabled(process.stdout)));
  // weaver passes on the signals it gets, so a signal sent to the whole process group arrives twice.
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<number>((resolve) => {
    const stop = (): void => void (stopping ??= deployment.stop()).then(() => resolve(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await deployment.start();
  const failed = deployment.failed.then(async (why) => {
    await (stopping ??= deployment.stop());
    process.stderr.write(`weaver: ${why}\n`);
    return 1;
  });
  return Promise.race([stopped, failed]);
}

/** Runs `weaver minimal <args>`; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const deployCommand = newCommand({
    path: [DEPLOYER, "deploy"],
    summary: "Deploy a Weaver app, one process per component",
    usage: "<config>",
    examples: [{ comment: "Deploy the app that weaver.toml names.", command: "weaver minimal deploy weaver.toml" }],
  })
    .argument("<config>", "the app's weaver.toml")
    .action(async (file: string) => {
      const code = await deploy(file);
      if (code !== 0) throw new ExitStatus(code);
    });
  const group = newGroup(
    {
      path: [DEPLOYER],
      summary: "a minimal deployer",
      examples: [{ comment: "Deploy an app.", command: "weaver minimal deploy weaver.toml" }],
    },
    [deployCommand, ...toolCommands({ deployer: DEPLOYER, kind: "minimal" })],
  );
  try {
    await group.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (e) {
    return exitStatusOf(e);
  }
}
