/**
 * A multi-process deployment: every group's replicas, the control server they report to, a proxy
 * per listener, the status server and the registration, the log file.
 *
 * The deployer is the control plane only: replicas call each other directly over their own
 * sockets. It tells each replica where the live replicas of the components it calls are, and
 * pushes a new version whenever a replica becomes ready, dies or turns unhealthy.
 *
 * start() binds the listener proxies before anything else, so that an address the deployment
 * cannot have fails it with nothing started and nothing written (no socket folder, log file or
 * registration). From the moment stop() is called, a replica that exits is expected (the whole
 * process group may have got the same Ctrl-C) and is neither restarted nor reported.
 *
 * With `[multi] mtls = true` the deployment has its own CA (DeploymentTrust): each replica has
 * its key signed over the control channel, for its slot's group only, and replicas serve each
 * other only as the call graph allows.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  ControlServer,
  DeploymentTrust,
  LogSink,
  StatusServer,
  appEnvironment,
  callGraphOf,
  calleesOf,
  compareComponents,
  configSections,
  listenerAddress,
  logFile,
  mtlsByDefault,
  parseAddress,
  parseDuration,
  privateSocketDir,
  sectionOf,
  shortName,
  unregisterDeployment,
  type Address,
  type AppConfig,
  type CallGraph,
  type ComponentManifest,
  type DeploymentStatus,
  type Manifest,
  type ReplicaEndpoint,
  type RouteEntry,
  type RoutingStatus,
  Routing,
  routingStatus,
  type SignReply,
  type SignRequest,
} from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";
import { MULTI_SECTION, computeGroups, type Group } from "./groups.js";
import { listenError } from "./listener-addresses.js";
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
  /** The app's call graph: what routes each group gets, what the status shows, what mutual TLS allows. */
  readonly #graph: CallGraph;
  readonly #slots: ReplicaSlot[] = [];
  readonly #proxies = new Map<string, ListenerProxy>();
  readonly #shown: Record<string, string> = {};
  // Made by start() once the listeners are bound; removed by stop().
  #log: LogSink | undefined;
  #dir: string | undefined;
  #control: ControlServer | undefined;
  #status: StatusServer | undefined;
  /** The deployment's CA, under mutual TLS. */
  #trust: DeploymentTrust | undefined;
  readonly #routing = new Routing();
  /** Components with a router: their keys are assigned to their group's slots (members), up or not. */
  readonly #routed: readonly string[];
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #fail: (message: string) => void = () => {};
  /** Settles with a message when the deployment cannot run (a group crashing at start). */
  readonly failed: Promise<string>;

  constructor(options: DeploymentOptions) {
    this.#o = options;
    this.#groups = computeGroups(options.manifest, options.config);
    this.#graph = callGraphOf(options.manifest);
    this.#routed = options.manifest.components.filter((c) => c.routed === true).map((c) => c.name);
    for (const name of this.#routed) {
      const group = this.#groups.find((g) => g.components.includes(name)) as Group;
      this.#routing.assign(
        name,
        Array.from({ length: group.replicas }, (_, i) => `${group.name}/${i}`),
      );
    }
    this.failed = new Promise((resolve) => (this.#fail = resolve));
  }

  /**
   * Starts everything; resolves once every process has been launched (not necessarily ready).
   * Rejects with a WEAVER_ERR_CONFIG_LISTENER error when a listener cannot have its address, with
   * nothing else started; call stop() after a failure all the same.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { config, manifest } = this.#o;
    await this.#bindListeners();
    this.#checkStopping();
    const dir = (this.#dir = privateSocketDir("weaver-multi-"));
    const log = new LogSink({ file: logFile(DEPLOYER, this.id), ...(this.#o.print ? { print: process.stdout } : {}) });
    this.#log = log;
    const identity = { deployment: this.id, version: manifest.versionHash };
    const control = `unix:${join(dir, "control.sock")}`;
    const trust = await this.#startTrust(`unix:${join(dir, "0-0.sock")}`);
    this.#control = new ControlServer(identity, {
      ready: (r) => this.#slots.find((s) => s.id === r.id)?.ready(r.listeners),
      // A replica of another protocol version can never work: stop rather than restart it.
      refused: (_id, message) => this.#fail(message),
      watchRoutes: (r) => this.#routing.watch(r.version, () => this.#routesOf(r.id)),
      ...(trust === undefined ? {} : { sign: (r: SignRequest) => this.#sign(trust, r) }),
    });
    await this.#control.listen(control);
    this.#checkStopping();
    this.#status = await StatusServer.start({
      deployer: DEPLOYER,
      app: this.#o.app,
      deployment: this.id,
      started: this.started,
      config,
      status: () => this.status(),
      replicas: () => this.#slots.flatMap((s): ReplicaEndpoint[] => (s.client === undefined ? [] : [s.client])),
      logs: log.recent,
      warn: (message) => this.system("warn", message),
    });
    this.#checkStopping();

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
      log,
      routes: (g) => this.#routes(g),
      assignments: (components) => this.#routing.assignmentsFor(components),
      trust,
      changed: () => this.#changed(),
      fail: (message) => this.#fail(message),
    };
    this.#groups.forEach((group, g) => {
      for (let i = 0; i < group.replicas; i++) {
        this.#slots.push(new ReplicaSlot(group, i, `unix:${join(dir, `${g}-${i}.sock`)}`, ctx));
      }
    });
    for (const slot of this.#slots) slot.start();
  }

  /**
   * Makes the deployment's CA and the deployer's own certificate when [multi] mtls is on (by
   * default as the transport of `endpoint`, a replica's socket, says).
   */
  async #startTrust(endpoint: string): Promise<DeploymentTrust | undefined> {
    const multi = sectionOf(this.#o.config, MULTI_SECTION);
    if (!(multi.mtls ?? mtlsByDefault(endpoint))) return undefined;
    const groups: Record<string, string> = {};
    for (const g of this.#groups) for (const c of g.components) groups[c] = g.name;
    const lifetime = multi.cert_lifetime === undefined ? undefined : parseDuration(multi.cert_lifetime);
    this.#trust = new DeploymentTrust({
      manifest: this.#o.manifest,
      deployment: this.id,
      groups,
      ...(lifetime === undefined ? {} : { certificateLifetimeMs: lifetime }),
      warn: (message) => this.system("warn", `deployer: ${message}`),
    });
    await this.#trust.start();
    return this.#trust;
  }

  /** Signs a replica's key for the group of its slot; a process the deployer did not start gets nothing. */
  #sign(trust: DeploymentTrust, request: SignRequest): SignReply {
    const slot = this.#slots.find((s) => s.id === request.id && s.state !== "stopped");
    if (slot === undefined)
      throw new Error(`no replica ${String(request.id)} runs in deployment ${this.id}: no certificate is signed for it`);
    return trust.sign(request.publicKey, slot.group.name);
  }

  /** Binds a proxy for every listener of the app, where the config puts it; fails with the first that cannot listen. */
  async #bindListeners(): Promise<void> {
    const { config, manifest } = this.#o;
    for (const name of new Set(manifest.components.flatMap((c) => c.listeners.map((l) => l.name)))) {
      const configured = listenerAddress(config, DEPLOYER, name);
      const proxy = new ListenerProxy(name);
      try {
        this.#shown[name] = await proxy.listen(configured ?? ":0");
      } catch (e) {
        const error = listenError({ file: config.file, listener: name, configured, holder: this.#holder(configured) }, e);
        // Leave no port taken, even for a caller that does not call stop().
        await Promise.all([...this.#proxies.values()].map((p) => p.close()));
        this.#proxies.clear();
        throw error;
      }
      this.#proxies.set(name, proxy);
    }
  }

  /** The listener already bound to the port of `address` (another host name of the same interface). */
  #holder(address: string | undefined): string | undefined {
    const wanted = address === undefined ? undefined : parseAddress(address);
    if (wanted === undefined || typeof wanted === "string" || wanted.port === 0) return undefined;
    return Object.entries(this.#shown).find(([, shown]) => (parseAddress(shown) as Address).port === wanted.port)?.[0];
  }

  /** Ends start() early when stop() was called meanwhile (stop() then cleans up what start made). */
  #checkStopping(): void {
    if (this.#stopping !== undefined) throw new Error(`deployment ${this.id} was stopped while it started`);
  }

  /** The addresses clients use, by listener name. */
  get listeners(): Readonly<Record<string, string>> {
    return this.#shown;
  }

  /**
   * Resolves once every replica has been ready at least once; rejects when the deployment fails to
   * start, fails, or stops first.
   */
  async ready(): Promise<void> {
    await this.#starting;
    for (;;) {
      if (this.#stopping !== undefined) throw new Error(`deployment ${this.id} stopped before every replica was ready`);
      if (this.#slots.length > 0 && this.#slots.every((s) => s.state === "ready")) return;
      await Promise.race([this.#routing.next(), this.failed.then((m) => Promise.reject(new Error(m)))]);
    }
  }

  /**
   * Stops every replica (draining them), the proxies and servers, removes the registration and the
   * sockets' folder. Waits for a start() in progress, which ends early. Calls after the first
   * return the same promise.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    // From now on replicas that exit are expected: not restarted, not reported.
    for (const slot of this.#slots) slot.stopping();
    await this.#starting?.catch(() => {});
    try {
      // Unregisters, and takes the replicas' last spans before they go.
      await this.#status?.stop();
      await Promise.all([...this.#proxies.values()].map((p) => p.close()));
      await Promise.all(this.#slots.map((s) => s.stop()));
      this.#routing.close();
      this.#trust?.close();
      await this.#control?.close();
      await this.#log?.close();
    } finally {
      if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    }
  }

  /**
   * Kills every replica at once and removes the registration and the sockets' folder, without
   * waiting for anything: for a deployer that must exit now (a second Ctrl-C).
   */
  kill(): void {
    for (const slot of this.#slots) slot.kill();
    if (this.#status !== undefined) unregisterDeployment(DEPLOYER, this.id);
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Writes a log entry of the deployer itself (dropped before start() has bound the listeners). */
  system(level: "info" | "warn" | "error", msg: string): void {
    this.#log?.system(this.#o.app, this.id, level, msg);
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
      callGraph: this.#graph.edges,
      routing: this.#routingStatus(),
    };
  }

  /** How the keys of each routed component are spread over its group's slots now. */
  #routingStatus(): RoutingStatus[] {
    const assignments = this.#routing.assignmentsFor(this.#routed) ?? {};
    return Object.entries(assignments).map(([component, assignment]) =>
      routingStatus(
        component,
        assignment,
        this.#slots
          .filter((s) => s.group.components.includes(component))
          .map((s) => ({ member: s.member, ...(s.id === "" ? {} : { replica: s.id }), up: s.state === "ready" })),
      ),
    );
  }

  /** The live replicas of every component a group calls and does not host. */
  #routes(group: Group): Record<string, RouteEntry[]> {
    const callees = calleesOf(this.#graph, group.components);
    const routes: Record<string, RouteEntry[]> = {};
    for (const callee of callees) {
      if (group.components.includes(callee)) continue;
      routes[callee] = this.#slots
        .filter((s) => s.state === "ready" && s.group.components.includes(callee))
        .map((s) => ({ id: s.id, address: s.address, member: s.member }));
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
