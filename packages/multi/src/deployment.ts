/**
 * A multi-process deployment: every group's replicas, the control server they report to, a proxy
 * per listener, the status server and the registration, the log file.
 *
 * The deployer is the control plane only: replicas call each other directly over their own
 * sockets. It tells each replica where the live replicas of the components it calls are, and
 * pushes a new version whenever a replica becomes ready, dies or turns unhealthy.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  ControlServer,
  LogSink,
  StatusServer,
  appEnvironment,
  compareComponents,
  configSections,
  listenerAddress,
  logFile,
  parseAddress,
  privateSocketDir,
  shortName,
  type Address,
  type AppConfig,
  type ComponentManifest,
  type DeploymentStatus,
  type Manifest,
  type ReplicaEndpoint,
  type RouteEntry,
  Routing,
} from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";
import { computeGroups, type Group } from "./groups.js";
import { ListenerProxy } from "./proxy.js";
import { ReplicaSlot, type SlotContext } from "./replica.js";

/** Options of a deployment. */
export interface DeploymentOptions {
  readonly config: AppConfig;
  readonly manifest: Manifest;
  /** The app's entry (see loadDeployable). */
  readonly binary: string;
  /** The app name shown (config name or manifest app). */
  readonly app: string;
  /** Print log entries on stdout as they arrive. */
  readonly print: boolean;
}

/** A running multi-process deployment. */
export class Deployment {
  readonly id = randomUUID();
  readonly started = Date.now();
  readonly #o: DeploymentOptions;
  readonly #groups: Group[];
  readonly #slots: ReplicaSlot[] = [];
  readonly #proxies = new Map<string, ListenerProxy>();
  readonly #shown: Record<string, string> = {};
  readonly #log: LogSink;
  readonly #dir = privateSocketDir("weaver-multi-");
  #control: ControlServer | undefined;
  #status: StatusServer | undefined;
  readonly #routing = new Routing();
  #stopped = false;
  #fail: (message: string) => void = () => {};
  /** Settles with a message when the deployment cannot run (a group crashing at start). */
  readonly failed: Promise<string>;

  constructor(options: DeploymentOptions) {
    this.#o = options;
    this.#groups = computeGroups(options.manifest, options.config);
    this.#log = new LogSink({ file: logFile(DEPLOYER, this.id), ...(options.print ? { print: process.stdout } : {}) });
    this.failed = new Promise((resolve) => (this.#fail = resolve));
  }

  /** Starts everything; resolves once every process has been launched (not necessarily ready). */
  async start(): Promise<void> {
    const { config, manifest } = this.#o;
    const identity = { deployment: this.id, version: manifest.versionHash };
    const control = `unix:${join(this.#dir, "control.sock")}`;
    this.#control = new ControlServer(identity, {
      ready: (r) => this.#slots.find((s) => s.id === r.id)?.ready(r.listeners),
      // A replica of another protocol version can never work: stop rather than restart it.
      refused: (_id, message) => this.#fail(message),
      watchRoutes: (r) => this.#routing.watch(r.version, () => this.#routesOf(r.id)),
    });
    await this.#control.listen(control);
    for (const name of new Set(manifest.components.flatMap((c) => c.listeners.map((l) => l.name)))) {
      const proxy = new ListenerProxy(name);
      this.#shown[name] = await proxy.listen(listenerAddress(config, DEPLOYER, name) ?? ":0");
      this.#proxies.set(name, proxy);
    }
    this.#status = await StatusServer.start({
      deployer: DEPLOYER,
      app: this.#o.app,
      deployment: this.id,
      started: this.started,
      config,
      status: () => this.status(),
      replicas: () => this.#slots.flatMap((s): ReplicaEndpoint[] => (s.client === undefined ? [] : [s.client])),
      logs: this.#log.recent,
      warn: (message) => this.system("warn", message),
    });

    const ctx: SlotContext = {
      identity,
      app: this.#o.app,
      binary: this.#o.binary,
      args: config.args,
      env: appEnvironment(config),
      configFile: config.file,
      control,
      proxies: this.#shown,
      startTimeoutMs: config.startTimeoutMs,
      log: this.#log,
      routes: (g) => this.#routes(g),
      changed: () => this.#changed(),
      fail: (message) => this.#fail(message),
    };
    this.#groups.forEach((group, g) => {
      for (let i = 0; i < group.replicas; i++) {
        this.#slots.push(new ReplicaSlot(group, `unix:${join(this.#dir, `${g}-${i}.sock`)}`, ctx));
      }
    });
    for (const slot of this.#slots) slot.start();
  }

  /** The addresses clients use, by listener name. */
  get listeners(): Readonly<Record<string, string>> {
    return this.#shown;
  }

  /** Resolves once every replica has been ready at least once, or rejects when the deployment fails. */
  async ready(): Promise<void> {
    while (this.#slots.some((s) => s.state !== "ready")) {
      await Promise.race([this.#routing.next(), this.failed.then((m) => Promise.reject(new Error(m)))]);
    }
  }

  /** Stops every replica (draining them), the proxies and servers, and removes the registration. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // Unregisters, and takes the replicas' last spans before they go.
    await this.#status?.stop();
    await Promise.all([...this.#proxies.values()].map((p) => p.close()));
    await Promise.all(this.#slots.map((s) => s.stop()));
    this.#routing.close();
    await this.#control?.close();
    await this.#log.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Writes a log entry of the deployer itself. */
  system(level: "info" | "warn" | "error", msg: string): void {
    this.#log.system(this.#o.app, this.id, level, msg);
  }

  /** The deployment's status, for the status server. */
  status(): DeploymentStatus {
    const { manifest, config } = this.#o;
    const groupOf = new Map(this.#groups.flatMap((g) => g.components.map((c) => [c, g.name] as const)));
    return {
      app: this.#o.app,
      deployment: this.id,
      started: this.started,
      pid: process.pid,
      configFile: config.file,
      config: configSections(config, DEPLOYER),
      groups: this.#groups.map((g) => ({
        name: g.name,
        components: g.components,
        replicas: this.#slots
          .filter((s) => s.group === g)
          .map((s) => ({ id: s.id, pid: s.pid, state: s.state, started: s.started, restarts: s.restarts })),
      })),
      components: [...manifest.components]
        .sort((a: ComponentManifest, b: ComponentManifest) => compareComponents(a.name, b.name))
        .map((c) => ({ name: c.name, short: shortName(c.name), group: groupOf.get(c.name) ?? "" })),
      listeners: Object.entries(this.#shown)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, address]) => ({ name, address })),
      callGraph: manifest.callGraph,
    };
  }

  /** The live replicas of every component a group calls and does not host. */
  #routes(group: Group): Record<string, RouteEntry[]> {
    const callees = new Set(this.#o.manifest.callGraph.filter(([from]) => group.components.includes(from)).map(([, to]) => to));
    const routes: Record<string, RouteEntry[]> = {};
    for (const callee of callees) {
      if (group.components.includes(callee)) continue;
      routes[callee] = this.#slots
        .filter((s) => s.state === "ready" && s.group.components.includes(callee))
        .map((s) => ({ id: s.id, address: s.address }));
    }
    return routes;
  }

  /** The routes of replica `id`, for its watch. */
  #routesOf(id: string): Record<string, RouteEntry[]> {
    const slot = this.#slots.find((s) => s.id === id);
    return slot === undefined ? {} : this.#routes(slot.group);
  }

  #changed(): void {
    for (const [name, proxy] of this.#proxies) {
      proxy.setBackends(
        this.#slots
          .filter((s) => s.state === "ready" && s.listeners[name] !== undefined)
          .map((s) => ({ replica: s.id, ...(parseAddress(s.listeners[name] as string) as Address) })),
      );
    }
    this.#routing.changed();
  }
}
