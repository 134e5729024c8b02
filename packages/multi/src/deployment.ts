/**
 * A multi-process deployment: every group's replicas, the control server they report to, a proxy
 * per listener, the status server and the registration, the log file.
 *
 * A listener's replicas accept its connections themselves on a socket the deployer binds and they
 * inherit (shared-listener.ts); behind a front (a detached deployment, whose front splits traffic
 * between versions), a TCP proxy per listener takes the front's connections instead (proxy.ts).
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
  type DeploymentTrust,
  LogSink,
  StatusServer,
  appEnvironment,
  callGraphOf,
  logFile,
  parseAddress,
  privateSocketDir,
  unregisterDeployment,
  type Address,
  type CallGraph,
  type DeploymentStatus,
  type ReplicaEndpoint,
  type RouteEntry,
  Routing,
  type SignRequest,
} from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";
import type { DeploymentOptions } from "./deployment-options.js";
import { routesOf, signFor, startTrust, statusOf } from "./deployment-view.js";
import { computeGroups, findGroup, type Group } from "./groups.js";
import { bindListeners, sharedFds } from "./listener-binding.js";
import type { ListenerProxy } from "./proxy.js";
import { SharedListener } from "./shared-listener.js";
import { ReplicaSlot, type SlotContext } from "./replica.js";

export type { DeploymentOptions } from "./deployment-options.js";

/** How long scale() and restart() wait for the proxies' connections to a replica they remove to end. */
const DRAIN_MS = 10_000;

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
  /** The listening sockets the replicas share, when there is no front. */
  readonly #shared = new Map<string, SharedListener>();
  readonly #shown: Record<string, string> = {};
  /** Where each listener proxy listens, when behind a front (else as #shown). */
  readonly #internal: Record<string, string> = {};
  // Made by start() once the listeners are bound; removed by stop().
  #log: LogSink | undefined;
  #dir: string | undefined;
  /** What every slot shares; set by start() before the first slot is made. */
  #ctx: SlotContext | undefined;
  /** Serializes scale() and restart(): each changes the set of slots in steps. */
  #resizing: Promise<unknown> = Promise.resolve();
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
    const trust = (this.#trust = await startTrust({
      config,
      manifest,
      deployment: this.id,
      groups: this.#groups,
      endpoint: `unix:${join(dir, "0-0.sock")}`,
      warn: (message) => this.system("warn", `deployer: ${message}`),
    }));
    this.#control = new ControlServer(identity, {
      ready: (r) => this.#slots.find((s) => s.id === r.id)?.ready(r.listeners),
      // A replica of another protocol version can never work: stop rather than restart it.
      refused: (_id, message) => this.#fail(message),
      watchRoutes: (r) => this.#routing.watch(r.version, () => this.#routesOf(r.id)),
      ...(trust === undefined ? {} : { sign: (r: SignRequest) => signFor(trust, this.#slots, this.id, r) }),
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

    const ctx: SlotContext = (this.#ctx = {
      identity,
      app: this.#o.app,
      binary: this.#o.binary,
      args: config.args,
      env: appEnvironment(config),
      configFile: config.file,
      control,
      proxies: this.#shown,
      listenerFds: (group) => sharedFds(this.#o.manifest, group.components, this.#shared),
      startTimeoutMs: config.startTimeoutMs,
      log,
      routes: (g) => routesOf(this.#graph, this.#slots, g),
      assignments: (components) => this.#routing.assignmentsFor(components),
      trust,
      changed: () => this.#changed(),
      fail: (message) => this.#fail(message),
    });
    this.#groups.forEach((group, g) => {
      for (let i = 0; i < group.replicas; i++) {
        this.#slots.push(new ReplicaSlot(group, i, `unix:${join(dir, `${g}-${i}.sock`)}`, ctx));
      }
    });
    for (const slot of this.#slots) slot.start();
  }

  /** The folder of the deployment's sockets, once started (removed by stop()). */
  get socketDir(): string | undefined {
    return this.#dir;
  }

  /** The group named `name` (see findGroup), if any. */
  group(name: string): Group | undefined {
    return findGroup(this.#groups, name);
  }

  /**
   * Changes the number of replicas of a group live, losing no request: new slots join routing only
   * once ready (resolves when they are); removed slots leave the proxies and every replica's
   * routes first, and are then drained and stopped. Calls run one after the other.
   */
  scale(group: Group, replicas: number): Promise<void> {
    return this.#serially(async () => {
      const current = this.#slots.filter((s) => s.group === group);
      if (replicas > current.length) await this.#add(group, replicas - current.length);
      else await this.#remove(current.slice(replicas));
    });
  }

  /** Replaces every replica, one at a time, each only once its successor is ready: a restart that loses no request. */
  restart(): Promise<void> {
    return this.#serially(async () => {
      for (const old of [...this.#slots]) {
        await this.#add(old.group, 1);
        await this.#remove([old]);
      }
    });
  }

  /** Runs `change` once the changes before it have ended. */
  #serially(change: () => Promise<void>): Promise<void> {
    const run = this.#resizing.then(change);
    this.#resizing = run.catch(() => {});
    return run;
  }

  /** Adds `n` slots to a group and waits until they are ready. */
  async #add(group: Group, n: number): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined || this.#dir === undefined) throw new Error(`deployment ${this.id} has not started`);
    const g = this.#groups.indexOf(group);
    const used = new Set(this.#slots.filter((s) => s.group === group).map((s) => s.member));
    const added: ReplicaSlot[] = [];
    for (let i = 0; added.length < n; i++) {
      if (used.has(`${group.name}/${i}`)) continue;
      added.push(new ReplicaSlot(group, i, `unix:${join(this.#dir, `${g}-${i}.sock`)}`, ctx));
    }
    this.#slots.push(...added);
    this.#assign(group);
    for (const slot of added) slot.start();
    this.#o.onChange?.();
    while (!added.every((s) => s.state === "ready")) {
      this.#checkStopping();
      await Promise.race([this.#routing.next(), this.failed.then((m) => Promise.reject(new Error(m)))]);
    }
  }

  /** Takes slots out of routing and the proxies, then drains and stops their processes. */
  async #remove(slots: readonly ReplicaSlot[]): Promise<void> {
    for (const slot of slots) {
      slot.stopping();
      this.#slots.splice(this.#slots.indexOf(slot), 1);
    }
    for (const group of new Set(slots.map((s) => s.group))) this.#assign(group);
    this.#changed();
    // The proxies send them no new connection now; let those they sent end before the replicas stop.
    await Promise.all(slots.flatMap((s) => [...this.#proxies.values()].map((p) => p.drained(s.id, DRAIN_MS))));
    await Promise.all(slots.map((s) => s.stop()));
    this.#o.onChange?.();
  }

  /** Assigns the keys of a group's routed components to its current slots. */
  #assign(group: Group): void {
    const members = this.#slots.filter((s) => s.group === group).map((s) => s.member);
    for (const name of this.#routed) if (group.components.includes(name)) this.#routing.assign(name, members);
  }

  /** Binds every listener of the app (see listener-binding.ts); fails with the first that cannot listen, leaving no port taken. */
  async #bindListeners(): Promise<void> {
    const bound = await bindListeners(this.#o, this.#shown, this.#internal);
    for (const [name, l] of bound) {
      if (l instanceof SharedListener) this.#shared.set(name, l);
      else this.#proxies.set(name, l);
    }
  }

  /** Ends start() early when stop() was called meanwhile (stop() then cleans up what start made). */
  #checkStopping(): void {
    if (this.#stopping !== undefined) throw new Error(`deployment ${this.id} was stopped while it started`);
  }

  /** Where the listener proxies listen, by listener name (behind a front, not the addresses clients use). */
  get proxyAddresses(): Readonly<Record<string, string>> {
    return this.#internal;
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
      // No replica starts from now on, so the deployer's copy of each shared socket can go at once:
      // the port is free as soon as the replicas, which stop accepting first, have closed theirs.
      for (const shared of this.#shared.values()) shared.close();
      // Unregisters, and takes the replicas' last spans before they go.
      await this.#status?.stop();
      await Promise.all([...this.#proxies.values()].map((p) => p.close()));
      // Replicas drain their own connections of shared listeners as they stop. Those that serve
      // listeners stop first: a request they are still answering may call the other groups.
      const front = (s: ReplicaSlot): boolean =>
        this.#o.manifest.components.some((c) => c.listeners.length > 0 && s.group.components.includes(c.name));
      await Promise.all(this.#slots.filter(front).map((s) => s.stop()));
      await Promise.all(this.#slots.filter((s) => !front(s)).map((s) => s.stop()));
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
    for (const shared of this.#shared.values()) shared.close();
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Writes a log entry of the deployer itself (dropped before start() has bound the listeners). */
  system(level: "info" | "warn" | "error", msg: string): void {
    this.#log?.system(this.#o.app, this.id, level, msg);
  }

  /** The deployment's status, for the status server. */
  status(): DeploymentStatus {
    return {
      ...statusOf({
        ...this.#o,
        id: this.id,
        started: this.started,
        groups: this.#groups,
        slots: this.#slots,
        listeners: this.#shown,
        graph: this.#graph,
        assignments: this.#routing.assignmentsFor(this.#routed) ?? {},
      }),
      ...this.#o.traffic?.(),
    };
  }

  /** The routes of replica `id`, for its watch. */
  #routesOf(id: string): Record<string, RouteEntry[]> {
    const slot = this.#slots.find((s) => s.id === id);
    return slot === undefined ? {} : routesOf(this.#graph, this.#slots, slot.group);
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
    this.#o.onChange?.();
  }
}
