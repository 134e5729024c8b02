/**
 * The runners that keep every component in the test's process: `local` (direct calls, as in one
 * process) and `rpc` (every call through the generated stubs, msgpackr and a Unix socket, each
 * retriable call twice).
 */
import { randomUUID } from "node:crypto";
import { SINGLE_SECTION, listenerAddress, parseAddress, type Address } from "@weaver/runtime";
import { SocketLoopback, type RepeatedMethod } from "@weaver/runtime/core";
import type { InterfaceOf } from "../component.js";
import { ComponentHost } from "../host.js";
import { createRootLogger, sinkDestination } from "../logger.js";
import { componentName, defineRunner, EXPLAIN, testConfig, type ExplainingApp, type Runner, type RunOptions } from "./runner.js";

/** A runner that hosts every component in this process; with `rpc`, calls between them cross a socket. */
function inProcess(name: string, rpc: boolean): Runner {
  return defineRunner(name, async (options: RunOptions): Promise<ExplainingApp> => {
    const fakes = new Map((options.fakes ?? []).map((f) => [componentName(f.impl), f.value]));
    const config = testConfig(options.config);
    const logger = createRootLogger({ app: "test", deployment: randomUUID(), replica: randomUUID() }, sinkDestination());
    // Tests log warnings and errors only, unless WEAVER_LOG_LEVEL asks for more.
    logger.level = process.env["WEAVER_LOG_LEVEL"] ?? "warn";
    // In the rpc runner, calls between components go through a socket to this same process.
    const sockets = rpc ? new SocketLoopback((name) => (fakes.has(name) ? undefined : host.served(name))) : undefined;
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
    const app: ExplainingApp = {
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
      [EXPLAIN]: () => (sockets === undefined ? undefined : explainRepeats(sockets.repeated())),
    };
    return app;
  });
}

/**
 * Why a test may have failed under the rpc runner: it ran each retriable call twice. Names the
 * methods (those whose second run answered otherwise first) and the fix.
 */
function explainRepeats(repeated: readonly RepeatedMethod[]): string | undefined {
  if (repeated.length === 0) return undefined;
  const times = (n: number): string => (n === 1 ? "1 call" : `${n} calls`);
  const differed = (r: RepeatedMethod): string =>
    r.differed === 0 ? "" : `, ${r.differed === r.calls ? "each" : r.differed} answered differently the second time`;
  const list = [...repeated].sort((a, b) => b.differed - a.differed).map((r) => `${r.method} (${times(r.calls)}${differed(r)})`);
  return (
    `The rpc runner ran each retriable call twice in this test, as a retry after a lost connection may run it: ${list.join(", ")}. ` +
    "If the failure comes from a method that is not safe to run twice, make it idempotent, or tag it `@weaver notRetriable` " +
    "in its interface's doc comment and run `weaver generate`."
  );
}

/** Runs components in this process with direct local calls, as a single-process deployment does. */
export const local: Runner = inProcess("local", false);

/**
 * Runs components in this process, but every call between them is encoded by the generated
 * client stub, sent over a Unix socket, served by the generated server stub, and each retriable
 * call is executed twice.
 */
export const rpc: Runner = inProcess("rpc", true);
