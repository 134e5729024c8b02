/** What the runners of the testing kit share: fakes, test configs, and how tests name components. */
import { runtimeError, type AppConfig } from "@weaver/runtime";
import { emptyConfig, findComponentByImpl, parseConfig, registeredApps, validateConfig, type MethodStats } from "@weaver/runtime/core";
import type { Component, InterfaceOf } from "../component.js";

/** An implementation class, as tests name components (any interface, any config). */
// biome-ignore lint/suspicious/noExplicitAny: the interface and config of the class are its own; InterfaceOf recovers them.
export type ImplClass = abstract new () => Component<any, any>;

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
  /** The multi runner only: the processes of each component group (1 by default). */
  readonly replicas?: number;
}

/** The components of one test run. */
export interface TestApp extends AsyncDisposable {
  /** Returns the component `impl` implements, as callers see it (through its stub). */
  get<C extends ImplClass>(impl: C): Promise<InterfaceOf<C>>;
  /** Returns the implementation instance itself, to inspect its state (local and rpc runners). */
  instance<C extends ImplClass>(impl: C): Promise<InstanceType<C>>;
  /** Statistics of the calls each component served through its local stub (local and rpc runners). */
  stats(): MethodStats[];
  /** Runs shutdown() hooks and closes listeners. */
  close(): Promise<void>;
}

/** Runs test bodies against an app's components. */
export interface Runner {
  /** "local", "rpc" or "multi", for test names. */
  readonly name: string;
  /** Starts the components; call close() (or use `await using`) when done. */
  start(options?: RunOptions): Promise<TestApp>;
  /** Starts the components, runs `body`, and closes them whatever happens. */
  run<T>(body: (app: TestApp) => Promise<T>, options?: RunOptions): Promise<T>;
}

export function componentName(impl: ImplClass): string {
  const found = findComponentByImpl(impl as abstract new () => object);
  if (found === undefined) {
    throw runtimeError(
      "WEAVER_ERR_UNKNOWN_COMPONENT",
      `${impl.name} is not a registered component implementation: import the app's weaver_gen.js in the test and run \`weaver generate\``,
    );
  }
  return found.manifest.name;
}

export function testConfig(text: string | undefined): AppConfig {
  if (text === undefined) return emptyConfig();
  const config = parseConfig(text, "test config", { others: "any" });
  for (const app of registeredApps()) validateConfig(config, app);
  return config;
}

/**
 * Where a runner's app keeps what it can add to the error of a failed test body: a function that
 * returns a note for the failure, or nothing.
 */
export const EXPLAIN: unique symbol = Symbol("weaver.testing.explain");

/** A test app that may explain failures (see EXPLAIN). */
export type ExplainingApp = TestApp & { readonly [EXPLAIN]?: () => string | undefined };

/**
 * A runner made from how it starts an app: run() starts one, runs the body, and closes it whatever
 * happens; when the body fails, the app's note (if any) is appended to the error's message.
 */
export function defineRunner(name: string, start: (options: RunOptions) => Promise<ExplainingApp>): Runner {
  return {
    name,
    start: (options = {}) => start(options),
    async run<T>(body: (app: TestApp) => Promise<T>, options: RunOptions = {}): Promise<T> {
      const app = await start(options);
      try {
        return await body(app);
      } catch (e) {
        const note = app[EXPLAIN]?.();
        if (note !== undefined && e instanceof Error) appendToMessage(e, note);
        throw e;
      } finally {
        await app.close();
      }
    },
  };
}

/** Adds `note` to an error's message, and to its stack's first line, which repeats the message. */
function appendToMessage(e: Error, note: string): void {
  const head = `${e.name}: ${e.message}`;
  e.message = `${e.message}\n\n${note}`;
  if (e.stack?.startsWith(head)) e.stack = `${head}\n\n${note}${e.stack.slice(head.length)}`;
}
