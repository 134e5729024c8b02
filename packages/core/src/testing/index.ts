/**
 * @weaver/core/testing: test components in-process, the way Service Weaver's weavertest does.
 *
 * Two runners run the same test body: `local` (components call each other directly, as in a
 * single process) and `rpc` (every call goes through the generated client and server stubs,
 * msgpackr and a real Unix socket, and each retriable call runs twice, to expose methods that
 * are not idempotent).
 * Fakes stand in for components. Main is not run; tests get components by implementation class.
 * Import the app's generated code (`import "./weaver_gen.js"`) in the test file.
 *
 * @example
 * import "../src/weaver_gen.js";
 * import { runners } from "@weaver/core/testing";
 * for (const runner of runners) {
 *   it(`reverses (${runner.name})`, () =>
 *     runner.run(async (app) => {
 *       const reverser = await app.get(ReverserImpl);
 *       expect(await reverser.reverse("abc")).toBe("cba");
 *     }));
 * }
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { SINGLE_SECTION, listenerAddress, parseAddress, runtimeError, type Address, type AppConfig } from "@weaver/runtime";
import { SocketLoopback, emptyConfig, findComponentByImpl, parseConfig, registeredApps, validateConfig, type MethodStats } from "@weaver/runtime/core";
import type { Component, InterfaceOf } from "../component.js";
import { ComponentHost } from "../host.js";
import { createRootLogger, sinkDestination } from "../logger.js";

/** An implementation class, as tests name components (any interface, any config). */
type ImplClass = abstract new () => Component<any, any>;

/** A fake standing in for a component (see fake()). */
export interface Fake {
  readonly impl: ImplClass;
  readonly value: object;
}

/**
 * Declares a fake: `value` serves every call to the component that `impl` implements. The fake is
 * checked against the component's interface at compile time.
 */
export function fake<C extends ImplClass>(impl: C, value: InterfaceOf<C>): Fake {
  return { impl, value: value as object };
}

/** Options of a test run. */
export interface RunOptions {
  /** weaver.toml text: component sections and `[single]` listener addresses. */
  readonly config?: string;
  /** Components replaced by fakes. */
  readonly fakes?: readonly Fake[];
}

/** The components of one test run. */
export interface TestApp extends AsyncDisposable {
  /** Returns the component `impl` implements, as callers see it (through its stub). */
  get<C extends ImplClass>(impl: C): Promise<InterfaceOf<C>>;
  /** Returns the implementation instance itself, to inspect its state. */
  instance<C extends ImplClass>(impl: C): Promise<InstanceType<C>>;
  /** Statistics of the calls each component served through its local stub. */
  stats(): MethodStats[];
  /** Runs shutdown() hooks and closes listeners. */
  close(): Promise<void>;
}

/** Runs test bodies against an app's components. */
export interface Runner {
  /** "local" or "rpc", for test names. */
  readonly name: string;
  /** Starts the components; call close() (or use `await using`) when done. */
  start(options?: RunOptions): Promise<TestApp>;
  /** Starts the components, runs `body`, and closes them whatever happens. */
  run<T>(body: (app: TestApp) => Promise<T>, options?: RunOptions): Promise<T>;
}

function componentName(impl: ImplClass): string {
  const found = findComponentByImpl(impl as abstract new () => object);
  if (found === undefined) {
    throw runtimeError(
      "WEAVER_ERR_UNKNOWN_COMPONENT",
      `${impl.name} is not a registered component implementation: import the app's weaver_gen.js in the test and run \`weaver generate\``,
    );
  }
  return found.manifest.name;
}

function testConfig(text: string | undefined): AppConfig {
  if (text === undefined) return emptyConfig();
  const config = parseConfig(text, "test config", { others: "any" });
  for (const app of registeredApps()) validateConfig(config, app);
  return config;
}

function makeRunner(name: string, rpc: boolean): Runner {
  const runner: Runner = {
    name,
    async start(options: RunOptions = {}): Promise<TestApp> {
      const fakes = new Map((options.fakes ?? []).map((f) => [componentName(f.impl), f.value]));
      const config = testConfig(options.config);
      const logger = createRootLogger({ app: "test", deployment: randomUUID(), replica: randomUUID() }, sinkDestination());
      // Tests log warnings and errors only, unless WEAVER_LOG_LEVEL asks for more.
      logger.level = process.env["WEAVER_LOG_LEVEL"] ?? "warn";
      // In the rpc runner, calls between components go through a socket to this same process.
      const sockets = rpc ? new SocketLoopback((name) => (fakes.has(name) ? undefined : host.local(name))) : undefined;
      const host: ComponentHost = new ComponentHost({
        config,
        logger,
        listener: (lis) => {
          const address = listenerAddress(config, SINGLE_SECTION.name, lis);
          // Tests listen on loopback only, unless the test config gives an address.
          return { address: address === undefined ? { host: "127.0.0.1", port: 0 } : (parseAddress(address) as Address) };
        },
        fakes,
        remote: sockets === undefined ? undefined : (component, caller) => sockets.calls(component, caller),
      });
      const close = async (): Promise<void> => {
        await sockets?.close();
        await host.shutdown();
      };
      const app: TestApp = {
        get: async (impl) => {
          const name = componentName(impl);
          // Create the implementation first, so that config and init() errors surface here in
          // both runners, not at the first call through an rpc stub.
          if (!fakes.has(name)) await host.instance(name);
          return (await host.get(name)) as InterfaceOf<typeof impl>;
        },
        instance: async (impl) => (await host.instance(componentName(impl))) as InstanceType<typeof impl>,
        stats: () => host.stats(),
        close,
        [Symbol.asyncDispose]: close,
      };
      return app;
    },
    async run<T>(body: (app: TestApp) => Promise<T>, options?: RunOptions): Promise<T> {
      const app = await runner.start(options);
      try {
        return await body(app);
      } finally {
        await app.close();
      }
    },
  };
  return runner;
}

/** Runs components in this process with direct local calls, as a single-process deployment does. */
export const local: Runner = makeRunner("local", false);

/**
 * Runs components in this process, but every call between them is encoded by the generated
 * client stub, sent over a Unix socket, served by the generated server stub, and each retriable
 * call is executed twice.
 */
export const rpc: Runner = makeRunner("rpc", true);

/** Both runners, to run one test body under each. */
export const runners: readonly Runner[] = [local, rpc];
