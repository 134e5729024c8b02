/**
 * The weavelet: run() in a replica process (WEAVER_REPLICA set by a deployer). It creates only the
 * components the process hosts, serves them over RPC, and reaches every other component through
 * the generated client stubs, with one RPC client per component over the replicas the deployer
 * routed it to. Components colocated in the process call each other through local stubs.
 *
 * Lifecycle: hosted components are created (and their init() run) at start; then, if the process
 * hosts Main, main() runs. On SIGTERM or SIGINT the RPC server drains (calls in flight finish),
 * listeners stop and shutdown() hooks run, and only then do the RPC clients close: a component's
 * shutdown() may still call components in other processes.
 */
import {
  CancelledError,
  DeadlineExceededError,
  MAIN_COMPONENT,
  componentHandler,
  getComponent,
  parseAddress,
  remoteCalls,
  runtimeError,
  type Address,
  type AppConfig,
  type Manifest,
  type RemoteCalls,
  type ReplicaArgs,
  RESERVED_METHODS,
} from "@weaver/runtime";
import { RpcClient, RpcServer, formatEndpoint, parseEndpoint } from "@weaver/rpc";
import type { Logger } from "pino";
import type { Main } from "./component.js";
import { ControlChannel } from "./control-channel.js";
import { ComponentHost } from "./host.js";
import { replicaServices, serveReserved } from "./replica-services.js";

/** A running replica: its host, its server (when it hosts components others call) and clients. */
export interface Weavelet {
  readonly host: ComponentHost;
  /** Stops serving (draining calls in flight), shuts the components down, then closes clients. */
  stop(): Promise<void>;
}

/** Starts a replica; resolves once its hosted components are created and it serves them. */
export async function startWeavelet(
  args: ReplicaArgs,
  app: Manifest,
  config: AppConfig,
  logger: Logger,
  mainClass: new () => Main,
): Promise<Weavelet> {
  const hosted = new Set(args.hosts);
  for (const name of hosted) {
    if (!app.components.some((c) => c.name === name)) {
      throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `replica ${args.id} is asked to host ${name}, which app ${app.app} does not have`);
    }
  }
  const clients = new Map<string, RpcClient>();
  const clientFor = (name: string): RpcClient => {
    let client = clients.get(name);
    if (client === undefined) {
      client = new RpcClient({ deployment: args.deployment, version: app.versionHash, id: args.id });
      client.setReplicas((args.routes[name] ?? []).map((r) => ({ id: r.id, address: parseEndpoint(r.address)! })));
      clients.set(name, client);
    }
    return client;
  };
  const remote = (name: string, caller: string): RemoteCalls | undefined => {
    if (hosted.has(name)) return undefined;
    // With a deployer's control channel, routes come and go; without one, they are all there is.
    if (args.routes[name] === undefined && args.control === undefined) {
      throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `replica ${args.id} calls ${name}, which it neither hosts nor has routes to`);
    }
    return remoteCalls(getComponent(name), clientFor(name), { caller });
  };
  const host = new ComponentHost({
    config,
    logger,
    listener: (name) => {
      const shown = args.proxies?.[name];
      return { address: parseAddress(args.listeners?.[name] ?? "127.0.0.1:0") as Address, ...(shown === undefined ? {} : { shown }) };
    },
    remote,
    mainClass,
  });

  let server: RpcServer | undefined;
  const served = [...hosted].filter((n) => n !== MAIN_COMPONENT);
  for (const name of hosted) await host.instance(name);
  if (served.length > 0 || args.control !== undefined) {
    if (args.listen === undefined) {
      throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `replica ${args.id} hosts ${served.join(", ")} but has no listen address to serve them on`);
    }
    const components = componentHandler(app, (name) => (hosted.has(name) && name !== MAIN_COMPONENT ? host.local(name) : undefined));
    const services = replicaServices(args.id);
    server = new RpcServer({
      deployment: args.deployment,
      version: app.versionHash,
      id: args.id,
      handler: (payload, call) => (call.method >= RESERVED_METHODS ? serveReserved(services, call.method, payload) : components(payload, call)),
      deadlineReason: () => new DeadlineExceededError(),
      cancelReason: () => new CancelledError(),
      onBadPeer: (reason) => logger.warn(reason),
    });
    const address = await server.listen(parseEndpoint(args.listen)!);
    // Under a deployer, readiness goes over the control channel; by hand, this line says it.
    const level = args.control === undefined ? "info" : "debug";
    logger[level]({ address: formatEndpoint(address), components: served.join(",") }, `replica ${args.id} serving`);
  }
  const control = args.control === undefined ? undefined : new ControlChannel(args, app, logger, clientFor);
  await control?.ready(host.boundListeners());
  return {
    host,
    async stop() {
      await server?.drain();
      try {
        await host.shutdown();
      } finally {
        control?.close();
        for (const client of clients.values()) client.close();
      }
    },
  };
}
