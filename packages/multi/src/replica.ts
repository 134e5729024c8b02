/**
 * A replica slot: one of a group's N replicas, kept alive. The slot starts a process (through an
 * Envelope), learns when it is ready, checks its health every second, and when the process exits
 * or fails three health checks in a row, takes it out of routing at once and starts a new one
 * after a backoff (100 ms doubling to 5 s; reset once a process has stayed ready for 10 s).
 * A slot whose processes keep dying before they are ready fails the deployment, with their last
 * log lines.
 */
import { randomUUID } from "node:crypto";
import {
  Envelope,
  ReplicaClient,
  type ControlIdentity,
  type DeploymentTrust,
  type LogEntry,
  type LogSink,
  type Assignments,
  type ReplicaStatus,
  type RouteEntry,
} from "@weaver/runtime";
import type { Group } from "./groups.js";

/** What a slot needs from its deployment. */
export interface SlotContext {
  readonly identity: ControlIdentity;
  readonly app: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly configFile: string;
  readonly control: string;
  readonly proxies: Readonly<Record<string, string>>;
  /** The deployer's file descriptors of the shared listening sockets a group's replicas accept on, by listener name. */
  listenerFds(group: Group): Readonly<Record<string, number>>;
  /** How long a process may take to report ready before it is killed ([serviceweaver] start_timeout). */
  readonly startTimeoutMs: number;
  readonly log: LogSink;
  /** The routes of a group's replicas now. */
  routes(group: Group): Record<string, RouteEntry[]>;
  /** The assignments of the routed components among `components` (the keys of routes). */
  assignments(components: readonly string[]): Assignments | undefined;
  /** The deployment's CA, when replicas use mutual TLS. */
  readonly trust: DeploymentTrust | undefined;
  /** Routing or listener backends changed. */
  changed(): void;
  /** The deployment cannot run: a group keeps crashing at start. */
  fail(message: string): void;
}

const HEALTH_EVERY_MS = 1_000;
const HEALTH_TIMEOUT_MS = 1_000;
const UNHEALTHY_AFTER = 3;
const RESTART_MIN_MS = 100;
/** How long after a replica's exit the deployer decides to restart it (see #exited). */
const EXIT_GRACE_MS = 50;
const RESTART_MAX_MS = 5_000;
const STABLE_AFTER_MS = 10_000;
/** Processes that die before they are ready, in a row, before the deployment gives up. */
const CRASHES_AT_START = 3;
const RECENT_LINES = 20;

/** One replica of a group, restarted whenever it dies. */
export class ReplicaSlot {
  readonly group: Group;
  /** The slot's stable name, `<group>/<index>`: the member its group's routed components assign keys to, across restarts. */
  readonly member: string;
  /** Where the replica serves RPC (the same path across restarts). */
  readonly address: string;
  state: ReplicaStatus["state"] = "starting";
  id = "";
  started = 0;
  restarts = 0;
  /** Bound listener addresses (`host:port`) of the current process, once ready. */
  listeners: Readonly<Record<string, string>> = {};
  readonly #ctx: SlotContext;
  #envelope: Envelope | undefined;
  #health: ReplicaClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #readyAt = 0;
  #failures = 0;
  #crashesAtStart = 0;
  #backoff = RESTART_MIN_MS;
  #stopping = false;
  #recent: LogEntry[] = [];

  constructor(group: Group, index: number, address: string, ctx: SlotContext) {
    this.group = group;
    this.member = `${group.name}/${index}`;
    this.address = address;
    this.#ctx = ctx;
  }

  /** The calls to the current process, once it is ready (health, metrics, spans, profiles). */
  get client(): ReplicaClient | undefined {
    return this.state === "ready" || this.state === "unhealthy" ? this.#health : undefined;
  }

  /** The process id, or -1 between processes. */
  get pid(): number {
    return this.#envelope?.running ? this.#envelope.pid : -1;
  }

  /** Starts a process. */
  start(): void {
    this.id = randomUUID();
    this.state = "starting";
    this.listeners = {};
    this.started = Date.now();
    this.#recent = [];
    const routes = this.#ctx.routes(this.group);
    const assignments = this.#ctx.assignments(Object.keys(routes));
    const envelope = new Envelope({
      binary: this.#ctx.binary,
      args: this.#ctx.args,
      env: this.#ctx.env,
      configFile: this.#ctx.configFile,
      app: this.#ctx.app,
      replica: {
        deployment: this.#ctx.identity.deployment,
        id: this.id,
        hosts: this.group.components,
        listen: this.address,
        routes,
        ...(assignments === undefined ? {} : { assignments }),
        proxies: this.#ctx.proxies,
        control: this.#ctx.control,
        ...(this.#ctx.trust === undefined ? {} : { mtls: this.#ctx.trust.mtlsArgs() }),
      },
      listenerFds: this.#ctx.listenerFds(this.group),
      onEntry: (entry) => {
        this.#ctx.log.write(entry);
        this.#recent.push(entry);
        if (this.#recent.length > RECENT_LINES) this.#recent.shift();
      },
    });
    this.#envelope = envelope;
    const id = this.id;
    void envelope.exited.then((exit) => this.#exited(id, exit.code, exit.signal));
    // A process that never reports ready (a hung start, an init() that ignores its timeout) is
    // killed, and counts as a crash at start.
    this.#timer = setTimeout(() => {
      if (this.id !== id || this.state !== "starting") return;
      const seconds = Math.round(this.#ctx.startTimeoutMs / 100) / 10;
      this.#system(
        "warn",
        `replica ${id.slice(0, 8)} of ${this.group.name} did not report ready within ${seconds}s; killing it (raise [serviceweaver] start_timeout in weaver.toml if it needs longer)`,
      );
      envelope.kill();
    }, this.#ctx.startTimeoutMs);
    this.#timer.unref();
  }

  /** The process reported ready (CONTROL_READY). */
  ready(listeners: Readonly<Record<string, string>>): void {
    if (this.state !== "starting") return;
    clearTimeout(this.#timer);
    this.state = "ready";
    this.listeners = listeners;
    this.#readyAt = Date.now();
    this.#crashesAtStart = 0;
    this.#failures = 0;
    this.#health = new ReplicaClient(
      this.#ctx.identity,
      { id: this.id, address: this.address, group: this.group.name, pid: this.pid },
      this.#ctx.trust,
    );
    this.#scheduleHealth();
    this.#ctx.changed();
  }

  /**
   * The deployment is stopping: from now on the process is not health-checked nor restarted, and
   * its exit is expected (it may have got the same signal as the deployer) and not reported.
   */
  stopping(): void {
    this.#stopping = true;
    clearTimeout(this.#timer);
  }

  /** Stops the process (draining it) and does not restart it. */
  async stop(): Promise<void> {
    this.stopping();
    this.#health?.close();
    if (this.#envelope !== undefined) await this.#envelope.stop();
    this.state = "stopped";
  }

  /** Kills the process at once (the deployer is stopping fast). */
  kill(): void {
    this.#stopping = true;
    this.#envelope?.kill();
  }

  /** Writes an entry of the deployer about this slot's replica (`replica`: the process meant, the current one by default). */
  #system(level: "info" | "warn", msg: string, replica = this.id): void {
    this.#ctx.log.system(this.#ctx.app, this.#ctx.identity.deployment, level, msg, { replica, group: this.group.name });
  }

  #scheduleHealth(): void {
    this.#timer = setTimeout(() => void this.#checkHealth(), HEALTH_EVERY_MS);
    this.#timer.unref();
  }

  async #checkHealth(): Promise<void> {
    const health = this.#health;
    if (health === undefined || this.#stopping || this.state === "restarting") return;
    const ok = await health.check(HEALTH_TIMEOUT_MS);
    if (this.#stopping || this.#health !== health) return;
    if (ok) {
      this.#failures = 0;
      if (this.state === "unhealthy") {
        this.state = "ready";
        this.#ctx.changed();
      }
    } else if (++this.#failures >= UNHEALTHY_AFTER) {
      this.#system(
        "warn",
        `replica ${this.id.slice(0, 8)} of ${this.group.name} failed ${this.#failures} health checks in a row; restarting it`,
      );
      this.state = "unhealthy";
      this.#ctx.changed();
      this.#envelope?.kill();
      return;
    } else if (this.#failures === 1) {
      this.#system("info", `replica ${this.id.slice(0, 8)} of ${this.group.name} missed a health check`);
    }
    this.#scheduleHealth();
  }

  #exited(id: string, code: number | null, signal: NodeJS.Signals | null): void {
    if (id !== this.id) return;
    clearTimeout(this.#timer);
    this.#health?.close();
    this.#health = undefined;
    const wasReady = this.state === "ready" || this.state === "unhealthy";
    if (this.#stopping) {
      this.state = "stopped";
      this.#ctx.changed();
      return;
    }
    this.state = "restarting";
    this.#ctx.changed();
    // A signal to the whole process group (a terminal's Ctrl-C, `timeout`) reaches the replicas and
    // the deployer at once, and the deployer may hear of a replica's exit before its own signal:
    // decide a moment later, when a stop() would have been called.
    this.#timer = setTimeout(() => {
      if (!this.#stopping) this.#restart(id, signal !== null ? `was killed by ${signal}` : `exited with status ${code}`, wasReady);
    }, EXIT_GRACE_MS);
  }

  /** Restarts after a backoff the process `id` that exited (`how`), or fails the deployment when it keeps crashing at start. */
  #restart(id: string, how: string, wasReady: boolean): void {
    if (!wasReady && ++this.#crashesAtStart >= CRASHES_AT_START) {
      const lines = this.#recent.map((e) => `    ${e.msg}`).join("\n");
      this.#ctx.fail(
        `${this.group.name} keeps crashing at start: its process ${how} ${this.#crashesAtStart} times in a row before it was ready.` +
          (lines === "" ? " It printed nothing." : ` Its last log lines:\n${lines}`),
      );
      return;
    }
    if (wasReady && Date.now() - this.#readyAt > STABLE_AFTER_MS) this.#backoff = RESTART_MIN_MS;
    const delay = this.#backoff;
    this.#backoff = Math.min(RESTART_MAX_MS, this.#backoff * 2);
    this.restarts++;
    this.#system(
      "warn",
      `replica ${id.slice(0, 8)} of ${this.group.name} ${how}; restarting it in ${delay} ms (restart ${this.restarts})`,
      id,
    );
    this.#timer = setTimeout(
      () => {
        if (!this.#stopping) this.start();
      },
      Math.max(0, delay - EXIT_GRACE_MS),
    );
  }
}
