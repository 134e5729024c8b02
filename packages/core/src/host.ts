/**
 * The component host: creates the components one process runs, wires their refs and listeners,
 * and runs their lifecycle hooks.
 *
 * Creation starts from whatever is asked for (Main, in an app) and follows refs depth first, so
 * only reachable components are created, and a component's init() runs after the init() of every
 * component it refers to (a ref cycle is cut where it closes: the component that closes it sees a
 * callee whose init() is still to come). shutdown() runs in the reverse order of init().
 *
 * Where a ref leads is a policy of the host's owner: a fake, a remote client stub, or a local
 * instance behind its local stub.
 */
import {
  MAIN_COMPONENT,
  WeaverError,
  formatAddress,
  runtimeError,
  type AppConfig,
  type ComponentManifest,
  type HostedComponents,
  type Placement,
} from "@weaver/runtime";
import { LocalCalls, componentConfig, getComponent, type MethodStats, type ServedComponent } from "@weaver/runtime/core";
import type { Logger } from "pino";
import { construct } from "./component.js";
import { coreError } from "./errors.js";
import { bindListener, Listener } from "./listener.js";
import { bindRef, Ref } from "./ref.js";

/** How a host is set up by its owner (a runtime, a weavelet or the testing kit). */
export interface HostOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** Where each listener binds. */
  readonly listener: Placement["listener"];
  /** Where calls to components created elsewhere go (see Placement); everything is created here without it. */
  readonly remote?: Placement["remote"];
  /** Objects that stand in for components, by full name. */
  readonly fakes?: ReadonlyMap<string, object>;
  /** Main's implementation class (registrations of Main carry none). */
  readonly mainClass?: new () => object;
  /** The process, as errors name it ("replica 3f2a1b0c of reverser.Reverser"); none in a single process. */
  readonly process?: string;
}

interface Entry {
  readonly manifest: ComponentManifest;
  readonly instance: object;
  /** The stub servers call through: counted in the statistics, not in the method metrics. */
  readonly stub: object;
  readonly calls: LocalCalls;
  /** The stubs of each caller, which record the method metrics with their caller. */
  readonly callers: Map<string, object>;
  ready: Promise<void>;
}

type Hooks = { init?: () => Promise<void> | void; shutdown?: () => Promise<void> | void };

/** Creates and runs the components of one process. */
export class ComponentHost implements HostedComponents {
  readonly #options: HostOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #clients = new Map<string, object>();
  readonly #initialized: Entry[] = [];
  readonly #listeners: Listener[] = [];

  constructor(options: HostOptions) {
    this.#options = options;
  }

  /**
   * Returns what a ref to component `name` resolves to, creating the component if needed; calls
   * through it are recorded as made by component `caller` ("" by default: from outside any).
   */
  get(name: string, caller = ""): Promise<object> {
    return this.#resolve(name, new Set(), caller);
  }

  /** Returns the implementation of a component created in this process (or its fake), creating it if needed. */
  async instance(name: string): Promise<object> {
    return this.#options.fakes?.get(name) ?? (await this.#local(name)).instance;
  }

  /**
   * Returns a component created in this process as its server runs it, creating it if needed:
   * its implementation, and the statistics served calls count in. A faked component is served by
   * its fake, uncounted.
   */
  async served(name: string): Promise<ServedComponent> {
    const fake = this.#options.fakes?.get(name);
    if (fake !== undefined) return { impl: fake };
    const entry = await this.#local(name);
    return { impl: entry.instance, stats: entry.calls.stats };
  }

  async #local(name: string): Promise<Entry> {
    const entry = this.#entries.get(name) ?? this.#create(name, new Set());
    await entry.ready;
    return entry;
  }

  /** The listeners bound so far: name and bound `host:port`. */
  boundListeners(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const l of this.#listeners) out[l.name] = formatAddress(l.host, l.port);
    return out;
  }

  /** Statistics of the local calls to every component created here. */
  stats(): MethodStats[] {
    return [...this.#entries.values()].flatMap((e) => e.calls.stats);
  }

  /** Stops accepting on every listener and lets their open requests finish. */
  async closeListeners(): Promise<void> {
    await Promise.all(this.#listeners.map((l) => l.close()));
  }

  /** Stops every listener, then runs shutdown() hooks, dependents first. Errors are logged. */
  async shutdown(): Promise<void> {
    await this.closeListeners();
    for (const entry of [...this.#initialized].reverse()) {
      const hooks = entry.instance as Hooks;
      if (typeof hooks.shutdown !== "function") continue;
      try {
        await hooks.shutdown();
      } catch (e) {
        this.#options.logger.error({ err: e }, `shutdown() of ${entry.manifest.short} failed`);
      }
    }
    this.#initialized.length = 0;
  }

  async #resolve(name: string, chain: ReadonlySet<string>, caller: string): Promise<object> {
    const fake = this.#options.fakes?.get(name);
    if (fake !== undefined) return fake;
    const key = `${caller}\u0000${name}`;
    const client = this.#clients.get(key);
    if (client !== undefined) return client;
    const remote = name === MAIN_COMPONENT ? undefined : this.#options.remote?.(name, caller);
    if (remote !== undefined) {
      const stub = getComponent(name).registration.clientStub(remote);
      this.#clients.set(key, stub);
      return stub;
    }
    let entry = this.#entries.get(name);
    if (entry === undefined) {
      entry = this.#create(name, chain);
      await entry.ready;
    } else if (!chain.has(name)) {
      await entry.ready;
    }
    return this.#callerStub(entry, caller);
  }

  /** The local stub through which `caller` calls `entry` (Main has no methods: itself). */
  #callerStub(entry: Entry, caller: string): object {
    if (entry.manifest.name === MAIN_COMPONENT) return entry.instance;
    let stub = entry.callers.get(caller);
    if (stub === undefined) {
      const calls = new LocalCalls(entry.manifest.name, entry.manifest.methods, { caller, stats: entry.calls.stats });
      stub = getComponent(entry.manifest.name).registration.localStub(entry.instance, calls);
      entry.callers.set(caller, stub);
    }
    return stub;
  }

  /**
   * Runs one component's init() within the config's init_timeout; a failure or a hang becomes an
   * error that names the component and the process.
   */
  async #init(component: string, init: () => Promise<void> | void): Promise<void> {
    const ms = this.#options.config.initTimeoutMs;
    const where = this.#options.process === undefined ? "" : ` in ${this.#options.process}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message =
          `component ${component}${where} did not finish init() within ${formatMs(ms)}: did you forget to resolve a Promise, or does it wait for something that never comes? ` +
          "If init() needs longer, raise [serviceweaver] init_timeout in weaver.toml";
        reject(coreError("WEAVER_ERR_INIT_TIMEOUT", message));
      }, ms);
    });
    try {
      await Promise.race([Promise.resolve().then(init), timeout]);
    } catch (e) {
      if (e instanceof WeaverError && e.code === "WEAVER_ERR_INIT_TIMEOUT") throw e;
      throw coreError("WEAVER_ERR_INIT", `init() of component ${component}${where} failed: ${(e as Error).message}`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  #create(name: string, chain: ReadonlySet<string>): Entry {
    const { manifest, registration } = getComponent(name);
    const cls = name === MAIN_COMPONENT ? this.#options.mainClass : registration.impl;
    if (cls === undefined) {
      throw coreError("WEAVER_ERR_MAIN", `no implementation class for ${manifest.short}: pass the Main class to run()`);
    }
    const logger = this.#options.logger.child({ component: manifest.short });
    const config = componentConfig(this.#options.config, name, manifest.config);
    const instance = construct(cls, { logger, config }) as Record<string, unknown>;
    checkShape(instance, manifest);
    const calls = new LocalCalls(name, manifest.methods);
    const stub = name === MAIN_COMPONENT ? instance : registration.localStub(instance, calls);
    const entry: Entry = { manifest, instance, stub, calls, callers: new Map(), ready: Promise.resolve() };
    this.#entries.set(name, entry);
    const inner = new Set(chain).add(name);
    entry.ready = (async () => {
      for (const r of manifest.refs) {
        bindRef(instance[r.field] as Ref<unknown>, await this.#resolve(r.component, inner, name));
      }
      for (const l of manifest.listeners) {
        const lis = instance[l.field] as Listener;
        const placement = this.#options.listener(l.name);
        await bindListener(lis, l.name, placement.address, placement.shown, placement.fd);
        this.#listeners.push(lis);
      }
      const hooks = instance as Hooks;
      if (typeof hooks.init === "function")
        await this.#init(manifest.short, () => (hooks.init as () => Promise<void> | void).call(instance));
      this.#initialized.push(entry);
    })();
    // Creation errors surface through whoever awaits `ready`; keep them from being reported twice.
    entry.ready.catch(() => {});
    return entry;
  }
}

/** A duration as weaver.toml writes them: "500ms", "30s", "2m". */
function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Refuses an implementation whose methods, refs and listeners differ from what the generated code
 * knows, which happens when the sources changed after the last `weaver generate`.
 */
function checkShape(instance: Record<string, unknown>, manifest: ComponentManifest): void {
  const stale = (what: string): never => {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `generated code is older than the sources of ${manifest.impl} (${manifest.source}): ${what}; run \`weaver generate\` and rebuild`,
    );
  };
  const iface = manifest.name.slice(manifest.name.lastIndexOf("/") + 1);
  for (const { name } of manifest.methods) {
    // Without this, the first call fails with "is not a function", far from the cause.
    if (typeof instance[name] !== "function") stale(`it calls ${iface}.${name}, which ${manifest.impl} no longer has (renamed or removed)`);
  }
  const refs = new Set(manifest.refs.map((r) => r.field));
  const listeners = new Set(manifest.listeners.map((l) => l.field));
  for (const field of refs) {
    if (!(instance[field] instanceof Ref)) stale(`field ${field} is no longer a ref`);
  }
  for (const field of listeners) {
    if (!(instance[field] instanceof Listener)) stale(`field ${field} is no longer a listener`);
  }
  for (const [field, value] of Object.entries(instance)) {
    if (value instanceof Ref && !refs.has(field)) stale(`ref ${field} is new`);
    if (value instanceof Listener && !listeners.has(field)) stale(`listener ${field} is new`);
  }
}
