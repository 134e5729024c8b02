/**
 * The multi runner: each component group (a component, or a `colocate` list) runs in processes of
 * its own, `replicas` each (1 unless the run says otherwise), started from the app's build with
 * the same deployer API every deployer uses (Envelope, ControlServer, the weavelet), as Service
 * Weaver's weavertest.Multi does. The test's own process is one more replica of the deployment: it
 * hosts the fakes, which the other processes call back, and reaches every other component through
 * the generated client stubs over Unix sockets. Calls to a routed component (one with a router) go
 * by key to one of its group's processes, as under `weaver multi deploy`.
 *
 * Components live in other processes, so a test gets them with get(); instance() and stats(),
 * which reach into this process's objects, are for the local and rpc runners.
 */
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ControlServer,
  DEPLOYER_PROTOCOL_VERSION,
  Envelope,
  MAIN_COMPONENT,
  PrettyPrinter,
  appEnvironment,
  compareComponents,
  privateSocketDir,
  shortName,
  startWeavelet,
  type AppConfig,
  type LogEntry,
  type Manifest,
  Routing,
  type RouteEntry,
} from "@weaver/runtime";
import { registeredApps } from "@weaver/runtime/core";
import type { InterfaceOf } from "../component.js";
import { coreError } from "../errors.js";
import { ComponentHost } from "../host.js";
import { createRootLogger, sinkDestination } from "../logger.js";
import { compiledGenerated } from "./compiled.js";
import { componentName, defineRunner, testConfig, type Runner, type RunOptions, type TestApp } from "./runner.js";

/** The entry each process runs. */
const REPLICA_MAIN = fileURLToPath(new URL("./replica-main.js", import.meta.url));

/** The id of the test's own replica. */
const TEST_REPLICA = "test";

/** One process of a group. */
interface Slot {
  readonly hosts: readonly string[];
  /** The slot's stable name, `<group>/<index>`: what routed components assign their keys to. */
  readonly member: string;
  readonly id: string;
  readonly address: string;
  envelope?: Envelope;
  ready: boolean;
  /** Why it ended before it was ready. */
  failure?: string;
  lines: string[];
}

/** The deployment of one test run. */
class TestDeployment {
  readonly #app: Manifest;
  readonly #config: AppConfig;
  /** The fakes, by full component name; this process hosts them. */
  readonly #fakes: ReadonlyMap<string, object>;
  readonly #dir = privateSocketDir("weaver-test-multi-");
  readonly #id = randomUUID();
  readonly #slots: Slot[] = [];
  readonly #control: ControlServer;
  readonly #printer = new PrettyPrinter(false);
  #weavelet: { stop(): Promise<void> } | undefined;
  readonly #routing = new Routing();
  /** The routing version the test's own replica has applied, and ready() calls waiting for it to change. */
  #testVersion = -1;
  #appliedWaiters: ((value: unknown) => void)[] = [];
  #closing = false;

  constructor(app: Manifest, config: AppConfig, fakes: ReadonlyMap<string, object>, replicas: number) {
    this.#app = app;
    this.#config = config;
    this.#fakes = fakes;
    this.#control = new ControlServer(
      { deployment: this.#id, version: app.versionHash },
      {
        ready: (r) => this.#update(r.id, (s) => (s.ready = true)),
        refused: (id, message) => this.#update(id, (s) => (s.failure = message)),
        watchRoutes: (r) => {
          // A replica asks for the next routes with the version it has applied.
          if (r.id === TEST_REPLICA) this.#applied(r.version);
          return this.#routing.watch(r.version, () =>
            this.#routes(r.id === TEST_REPLICA ? [...this.#fakes.keys()] : (this.#slots.find((s) => s.id === r.id)?.hosts ?? [])),
          );
        },
      },
    );
    groups(app, config, fakes).forEach((hosts, g) => {
      const members = Array.from({ length: replicas }, (_, i) => `${shortName(hosts[0] as string)}/${i}`);
      members.forEach((member, i) => {
        this.#slots.push({ hosts, member, id: randomUUID(), address: this.#socket(`${g}-${i}`), ready: false, lines: [] });
      });
      // A routed component's keys go to its group's slots, as under weaver multi deploy.
      for (const c of app.components) if (c.routed === true && hosts.includes(c.name)) this.#routing.assign(c.name, members);
    });
  }

  /** Starts every process (without waiting for them to be ready) and this process's replica; `config` is the run's config text. */
  async start(config: string): Promise<ComponentHost> {
    const configFile = join(this.#dir, "weaver.toml");
    writeFileSync(configFile, config);
    await this.#control.listen(this.#socket("control"));
    const env = { ...appEnvironment(this.#config), WEAVER_TEST_APP: pathToFileURL(compiledGenerated(this.#app)).href };
    for (const slot of this.#slots) this.#launch(slot, env, configFile);
    const logger = createRootLogger({ app: this.#app.app, deployment: this.#id, replica: TEST_REPLICA }, sinkDestination());
    logger.level = process.env["WEAVER_LOG_LEVEL"] ?? "warn";
    let host: ComponentHost | undefined;
    this.#weavelet = await startWeavelet({
      args: {
        protocol: DEPLOYER_PROTOCOL_VERSION,
        deployment: this.#id,
        id: TEST_REPLICA,
        hosts: [...this.#fakes.keys()],
        listen: this.#socket(TEST_REPLICA),
        routes: {},
        control: this.#socket("control"),
      },
      app: this.#app,
      logger,
      exitWithDeployer: false,
      host: (placement) => (host = new ComponentHost({ config: this.#config, logger, fakes: this.#fakes, ...placement })),
    });
    return host as ComponentHost;
  }

  /**
   * Resolves once a process of the group hosting `name` is ready; rejects when they all ended
   * before. For a routed component, once every process of the group is ready and the test's
   * replica has their routes, so that no key starts on a runner-up and moves to its owner later;
   * it then rejects when any process ended before.
   */
  async ready(name: string): Promise<void> {
    const deadline = Date.now() + this.#config.startTimeoutMs;
    const routed = this.#app.components.some((c) => c.name === name && c.routed === true);
    for (;;) {
      const slots = this.#slots.filter((s) => s.hosts.includes(name));
      if (routed ? slots.every((s) => s.ready) && this.#testVersion >= this.#routing.version : slots.some((s) => s.ready)) return;
      const failed = slots.filter((s) => s.failure !== undefined);
      if (failed.length === slots.length || (routed && failed.length > 0)) {
        throw coreError("WEAVER_ERR_RUNNER", `the process of ${shortName(name)} ended before it was ready: ${failed[0]?.failure ?? ""}`);
      }
      if (Date.now() > deadline)
        throw coreError(
          "WEAVER_ERR_RUNNER",
          `the process of ${shortName(name)} was not ready within ${this.#config.startTimeoutMs} ms; raise [serviceweaver] start_timeout in the test's config if it needs longer`,
        );
      await Promise.race([
        this.#routing.next(),
        new Promise((resolve) => this.#appliedWaiters.push(resolve)),
        new Promise((resolve) => setTimeout(resolve, 250).unref()),
      ]);
    }
  }

  /** The test's replica has applied routing `version`. */
  #applied(version: number): void {
    this.#testVersion = version;
    for (const wake of this.#appliedWaiters.splice(0)) wake(undefined);
  }

  /** Stops this process's replica (draining it), then every other process, and removes the sockets. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#weavelet?.stop();
    await Promise.all(this.#slots.map((s) => s.envelope?.stop()));
    this.#routing.close();
    await this.#control.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #launch(slot: Slot, env: NodeJS.ProcessEnv, configFile: string): void {
    const routes = this.#routes(slot.hosts);
    const assignments = this.#routing.assignmentsFor(Object.keys(routes));
    const envelope = new Envelope({
      binary: REPLICA_MAIN,
      args: [],
      env,
      configFile,
      app: this.#app.app,
      replica: {
        deployment: this.#id,
        id: slot.id,
        hosts: slot.hosts,
        listen: slot.address,
        routes,
        ...(assignments === undefined ? {} : { assignments }),
        control: this.#socket("control"),
      },
      onEntry: (e: LogEntry) => {
        slot.lines = [...slot.lines.slice(-19), e.msg];
        // As in the other runners, the test shows warnings and errors only.
        if (e.level === "warn" || e.level === "error" || e.level === "stderr") process.stderr.write(`${this.#printer.format(e)}\n`);
      },
    });
    slot.envelope = envelope;
    void envelope.exited.then((exit) => {
      if (this.#closing) return;
      const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      this.#update(slot.id, (s) => {
        s.ready = false;
        s.failure ??= `its process ${how}; its last lines:\n${s.lines.map((l) => `  ${l}`).join("\n")}`;
      });
    });
  }

  #socket(name: string): string {
    return `unix:${join(this.#dir, `${name}.sock`)}`;
  }

  /** Where the callees of a process hosting `hosts` are (this process for fakes, every component for the test's). */
  #routes(hosts: readonly string[]): Record<string, RouteEntry[]> {
    const callees =
      hosts.length === 0 || hosts.every((h) => this.#fakes.has(h))
        ? this.#app.components.map((c) => c.name)
        : this.#app.callGraph.filter(([from]) => hosts.includes(from)).map(([, to]) => to);
    const routes: Record<string, RouteEntry[]> = {};
    for (const callee of new Set(callees)) {
      if (hosts.includes(callee) || callee === MAIN_COMPONENT) continue;
      routes[callee] = this.#fakes.has(callee)
        ? [{ id: TEST_REPLICA, address: this.#socket(TEST_REPLICA) }]
        : this.#slots.filter((s) => s.ready && s.hosts.includes(callee)).map((s) => ({ id: s.id, address: s.address, member: s.member }));
    }
    return routes;
  }

  #update(id: string, change: (slot: Slot) => void): void {
    const slot = this.#slots.find((s) => s.id === id);
    if (slot !== undefined) change(slot);
    this.#routing.changed();
  }
}

/** The groups of processes: each colocate list, and every other component alone; neither Main nor fakes. */
function groups(app: Manifest, config: AppConfig, fakes: ReadonlyMap<string, object>): string[][] {
  const placed = new Set<string>();
  const lists: string[][] = [];
  for (const list of config.colocate) {
    lists.push([...list].filter((c) => !fakes.has(c)).sort(compareComponents));
    for (const c of list) placed.add(c);
  }
  for (const c of app.components) if (!placed.has(c.name)) lists.push([c.name]);
  return lists.map((l) => l.filter((c) => c !== MAIN_COMPONENT && !fakes.has(c))).filter((l) => l.length > 0);
}

/** The one app registered in the test's process. */
function testedApp(): Manifest {
  const apps = registeredApps();
  if (apps.length !== 1) {
    throw coreError(
      "WEAVER_ERR_RUNNER",
      `the multi runner runs one app, but ${apps.length === 0 ? "none is" : `${apps.length} are`} loaded: import the weaver_gen.js of the app under test, and only it`,
    );
  }
  return apps[0] as Manifest;
}

/** Refuses what needs the component in this process. */
function elsewhere(what: string): never {
  throw coreError(
    "WEAVER_ERR_RUNNER",
    `${what} reaches into this process, but the multi runner runs components in processes of their own; get components with app.get(), or use the local or rpc runner`,
  );
}

/** Runs each component group in processes of its own, started from the app's build; the test's process hosts the fakes. */
export const multi: Runner = defineRunner("multi", async (options: RunOptions): Promise<TestApp> => {
  const app = testedApp();
  const fakes = new Map((options.fakes ?? []).map((f) => [componentName(f.impl), f.value]));
  const config = testConfig(options.config);
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw coreError("WEAVER_ERR_RUNNER", `replicas: ${replicas} is not a number of processes: give 1 or more`);
  const deployment = new TestDeployment(app, config, fakes, replicas);
  let host: ComponentHost;
  try {
    host = await deployment.start(options.config ?? "");
  } catch (e) {
    await deployment.close();
    throw e;
  }
  const close = (): Promise<void> => deployment.close();
  return {
    get: async (impl) => {
      const name = componentName(impl);
      if (!fakes.has(name)) await deployment.ready(name);
      return (await host.get(name)) as InterfaceOf<typeof impl>;
    },
    instance: async () => elsewhere("app.instance()"),
    stats: () => elsewhere("app.stats()"),
    close,
    [Symbol.asyncDispose]: close,
  };
});
