/**
 * The babysitter: the deployer of one replica, the one of its pod. It starts the replica of its
 * group through the deployer API (an Envelope and a ControlServer on a Unix socket in a private
 * folder), feeds it routes from the pod watch (for each component its group calls, the ready pods
 * of the callee's group), signs its certificates with the version's CA for its own group only,
 * serves the health server, and prints every log entry as one JSON line on stdout.
 *
 * Lifetime: the babysitter exits when the replica does, with its status, so that the kubelet
 * restarts the container; on SIGTERM it stops the replica gracefully and exits 0. The replica never
 * outlives a babysitter that is killed: it exits when its stdin (a pipe from the babysitter) closes.
 */
import { rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import {
  ControlServer,
  DeploymentTrust,
  Envelope,
  ReplicaClient,
  Routing,
  appEnvironment,
  callGraphOf,
  privateSocketDir,
  prometheusText,
  type Exit,
  type LogEntry,
  type RouteEntry,
  type SignReply,
  type SignRequest,
} from "@weaver/runtime";
import { HealthServer } from "./health-server.js";
import type { Peer } from "./peers.js";
import type { PodSetup } from "./pod-setup.js";
import { PodWatch } from "./pod-watch.js";
import { LABELS, type WiringGroup } from "../wiring.js";

/** How long the replica may take to drain on SIGTERM (the pod's grace period is 30 s by default). */
const STOP_GRACE_MS = 20_000;

/** One pod's babysitter. */
export class Babysitter {
  readonly #s: PodSetup;
  readonly #dir = privateSocketDir("weaver-kube-");
  readonly #routing = new Routing();
  readonly #control: ControlServer;
  readonly #watch: PodWatch;
  readonly #trust: DeploymentTrust | undefined;
  /** The group of each component, by full name. */
  readonly #groupOf = new Map<string, WiringGroup>();
  /** The components of other groups this group calls, and whether each is routed. */
  readonly #callees = new Map<string, boolean>();
  #envelope: Envelope | undefined;
  #client: ReplicaClient | undefined;
  #health: HealthServer | undefined;
  #stopping = false;
  /** The replica's last lines, shown when it dies. */
  #lines: string[] = [];
  /** Settles with the status to exit with when the replica dies. */
  readonly died: Promise<number>;
  #die: (code: number) => void = () => {};

  constructor(setup: PodSetup) {
    this.#s = setup;
    const { wiring, group, app } = setup;
    for (const g of wiring.groups) for (const c of g.components) this.#groupOf.set(c, g);
    const routed = new Set(app.manifest.components.filter((c) => c.routed === true).map((c) => c.name));
    for (const [caller, callee] of callGraphOf(app.manifest).edges) {
      if (group.components.includes(caller) && !group.components.includes(callee)) this.#callees.set(callee, routed.has(callee));
    }
    this.died = new Promise((resolve) => (this.#die = resolve));
    const groups: Record<string, string> = {};
    for (const [c, g] of this.#groupOf) groups[c] = g.name;
    this.#trust =
      setup.authority === undefined
        ? undefined
        : new DeploymentTrust({
            manifest: app.manifest,
            deployment: wiring.deployment,
            groups,
            certificateLifetimeMs: wiring.certLifetimeMs,
            authority: setup.authority,
            warn: (m) => this.log("warn", m),
          });
    this.#control = new ControlServer(this.#identity(), {
      ready: (r) => this.#ready(r.id, r.pid),
      refused: (_id, message) => this.#fatal(message),
      watchRoutes: (r) => this.#routing.watch(r.version, () => this.#routes()),
      ...(this.#trust === undefined ? {} : { sign: (r: SignRequest) => this.#sign(r) }),
    });
    this.#watch = new PodWatch({
      namespace: setup.namespace,
      labelSelector: `${LABELS.app}=${wiring.app},${LABELS.version}=${wiring.version}`,
      ...(setup.apiServer === undefined ? {} : { apiServer: setup.apiServer }),
      onChange: (peers) => this.#peersChanged(peers),
      warn: (m) => this.log("warn", m),
    });
  }

  /** Prints one of the babysitter's own log entries. */
  log(level: "info" | "warn" | "error", msg: string): void {
    const s = this.#s;
    printEntry(ownEntry(s.wiring.app, s.wiring.deployment, s.podName, level, msg));
  }

  /** Starts the health server, the pod watch and the replica. */
  async start(): Promise<void> {
    const s = this.#s;
    await this.#trust?.start();
    await this.#control.listen(`unix:${join(this.#dir, "control.sock")}`);
    this.#health = await HealthServer.start(s.bindHost, s.healthPort, {
      alive: () => this.#envelope?.running === true,
      notReady: () => this.#notReady(),
      metrics: () => this.#metrics(),
    });
    this.#watch.start();
    const listeners: Record<string, string> = {};
    for (const [name, port] of Object.entries(s.group.listeners)) listeners[name] = `${s.bindHost}:${port}`;
    const { config, binary } = s.app;
    this.#envelope = new Envelope({
      binary,
      args: config.args,
      env: appEnvironment(config),
      configFile: config.file,
      app: s.wiring.app,
      replica: {
        deployment: s.wiring.deployment,
        id: s.podName,
        hosts: s.group.components,
        listen: `tcp:${hostPart(s.bindHost)}:${s.rpcPort}`,
        routes: this.#routes(),
        listeners,
        control: `unix:${join(this.#dir, "control.sock")}`,
        ...(this.#trust === undefined ? {} : { mtls: this.#trust.mtlsArgs() }),
      },
      onEntry: (e: LogEntry) => {
        printEntry(e);
        this.#lines = [...this.#lines.slice(-9), e.msg];
      },
    });
    this.log("info", `started the replica of group ${s.group.name} (pid ${this.#envelope.pid}) for version ${s.wiring.version}`);
    void this.#envelope.exited.then((exit) => this.#exited(exit));
  }

  /** Stops the replica gracefully (SIGTERM, then SIGKILL after a grace period), then everything else. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exit = await this.#envelope?.stop(STOP_GRACE_MS);
    if (exit !== undefined) this.log("info", `the replica stopped (${how(exit)})`);
    await this.#close();
  }

  async #close(): Promise<void> {
    this.#client?.close();
    this.#routing.close();
    this.#trust?.close();
    await Promise.all([this.#health?.close(), this.#watch.close(), this.#control.close()]);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #identity(): { deployment: string; version: string } {
    return { deployment: this.#s.wiring.deployment, version: this.#s.app.manifest.versionHash };
  }

  #exited(exit: Exit): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const lines = this.#lines.map((l) => `    ${l}`).join("\n");
    this.log("error", `the replica ${how(exit)}; exiting so that the kubelet restarts the container. Its last lines:\n${lines}`);
    // As a shell reports it: the status, or 128 + the signal's number; never 0, which would say all is well.
    const code = exit.code !== null && exit.code !== 0 ? exit.code : exit.signal !== null ? 128 + (constants.signals[exit.signal] ?? 0) : 1;
    void this.#close().then(() => this.#die(code));
  }

  /** The replica cannot run (another deployer protocol): stop it and exit non-zero. */
  #fatal(message: string): void {
    this.log("error", message);
    this.#envelope?.kill();
  }

  #ready(id: string, pid: number): void {
    const s = this.#s;
    if (id !== s.podName) return;
    const local = s.bindHost === "0.0.0.0" || s.bindHost === "::" ? "127.0.0.1" : s.bindHost;
    this.#client?.close();
    this.#client = new ReplicaClient(
      this.#identity(),
      { id, address: `tcp:${hostPart(local)}:${s.rpcPort}`, group: s.group.name, pid },
      this.#trust,
    );
    this.log("info", `the replica is ready`);
  }

  #sign(r: SignRequest): SignReply {
    // Only this pod's replica gets a certificate, and only for this pod's group.
    if (r.id !== this.#s.podName)
      throw new Error(`no replica ${String(r.id)} runs in pod ${this.#s.podName}: no certificate is signed for it`);
    return (this.#trust as DeploymentTrust).sign(r.publicKey, this.#s.group.name);
  }

  #notReady(): string | undefined {
    if (this.#stopping) return "the pod is stopping";
    if (this.#envelope?.running !== true) return "the replica process is not running";
    if (this.#client === undefined) return "the replica is starting";
    if (!this.#watch.listed)
      return "the pods of the version are not listed yet (is the API server reachable, and may the pod's service account list pods?)";
    return undefined;
  }

  async #metrics(): Promise<string> {
    const s = this.#s;
    if (this.#client === undefined) throw new Error("the replica is not ready yet");
    const reply = await this.#client.metrics(5_000);
    return prometheusText(
      [{ app: s.wiring.app, deployment: s.wiring.deployment, replica: s.podName, metrics: reply.metrics }],
      `${s.podIp}:${s.healthPort}`,
    );
  }

  #peersChanged(peers: ReadonlyMap<string, readonly Peer[]>): void {
    for (const [callee, routed] of this.#callees) {
      if (!routed) continue;
      const label = this.#groupOf.get(callee)?.label;
      this.#routing.assign(
        callee,
        (label === undefined ? [] : (peers.get(label) ?? [])).map((p) => p.name),
      );
    }
    this.#routing.changed();
  }

  /** For each component of another group this group calls: the ready pods of that group. */
  #routes(): Record<string, RouteEntry[]> {
    const routes: Record<string, RouteEntry[]> = {};
    for (const [callee, routed] of this.#callees) {
      const label = this.#groupOf.get(callee)?.label;
      const peers = label === undefined ? [] : (this.#watch.peers.get(label) ?? []);
      routes[callee] = peers.map((p) => ({ id: p.name, address: p.address, ...(routed ? { member: p.name } : {}) }));
    }
    return routes;
  }
}

/** Prints a log entry as one JSON line on stdout. */
export function printEntry(entry: LogEntry): void {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}

/** A log entry of the babysitter itself (component "babysitter"). */
export function ownEntry(app: string, deployment: string, pod: string, level: string, msg: string): LogEntry {
  return {
    app,
    version: deployment,
    component: "babysitter",
    node: pod,
    time: Date.now() * 1000,
    level,
    file: "",
    line: -1,
    msg,
    attrs: {},
  };
}

function how(exit: Exit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}

function hostPart(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
