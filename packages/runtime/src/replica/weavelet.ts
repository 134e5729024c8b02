/**
 * The weavelet: the replica end of the deployer contract (deployer-protocol.ts), which run() hands
 * over to when a deployer starts the process as one replica of a deployment (WEAVER_REPLICA set).
 * It has the component host of @weaver/core create only the components the process hosts, serves
 * them over RPC, and reaches every other component through the generated client stubs, with one
 * RPC client per component over the replicas the deployer routed it to (and, for a routed
 * component, the assignment of keys to them: client-routes.ts). Components colocated in the
 * process call each other through local stubs.
 *
 * Lifecycle: under mutual TLS (ReplicaArgs.mtls) the weavelet first has its certificate signed
 * by the deployer, and from then on serves only callers the call graph allows and calls only
 * replicas of the right group (trust/authorization.ts, trust/credentials.ts). Hosted components
 * are created (and their init() run) at start; then the weavelet
 * serves, tells the deployer it is ready, and follows routing changes. On stop the RPC server
 * drains (calls in flight finish), the host shuts its components down, and only then do the RPC
 * clients close: a component's shutdown() may still call components in other processes.
 */
import { RpcClient, RpcServer, formatEndpoint, parseEndpoint, type Handler, type ServerTls } from "@weaver/rpc";
import { CancelledError, DeadlineExceededError } from "../calls/call-errors.js";
import { componentHandler, type ServedComponent } from "../calls/component-server.js";
import { remoteCalls } from "../calls/remote-calls.js";
import { parseAddress, type Address } from "../config/address.js";
import { runtimeError } from "../errors.js";
import { Counter } from "../metrics/metrics.js";
import type { Manifest } from "../generated/manifest.js";
import { getComponent, type RemoteCalls } from "../generated/registry.js";
import { MAIN_COMPONENT } from "../names.js";
import { callerPolicy } from "../trust/authorization.js";
import { Credentials } from "../trust/credentials.js";
import { ControlChannel } from "./control-channel.js";
import { DEPLOYER_PROTOCOL_VERSION, RESERVED_METHODS } from "./deployer-protocol.js";
import { replicaServices, serveReserved } from "./replica-services.js";
import type { AssignmentArgs, ReplicaArgs, RouteEntry } from "./replica-args.js";
import { ClientRoutes } from "./client-routes.js";

/** Connections the replica's RPC server refused at their handshake: a caller of another deployment or version shows here (a rollout keeps it 0). */
const refusedHandshakes = new Counter(
  "weaver_rpc_refused_handshakes_count",
  "Connections refused at their handshake: another deployment, app version or protocol, or no valid certificate",
);

/** Where and how a listener binds. */
export interface ListenerPlacement {
  readonly address: Address;
  /** The address clients are told, when it is not the bound one (a deployer's proxy). */
  readonly shown?: string;
  /** A listening socket inherited from the deployer, to accept on instead of binding `address`. */
  readonly fd?: number;
}

/** What a process decides about the components it does not create itself. */
export interface Placement {
  /** Where each listener binds. */
  listener(name: string): ListenerPlacement;
  /**
   * The call path from component `caller` ("" from outside any component) to a component created
   * elsewhere, or undefined to create it in this process.
   */
  remote(name: string, caller: string): RemoteCalls | undefined;
}

/** The components of one process, as @weaver/core's component host keeps them. */
export interface HostedComponents {
  /** Creates a component (running its init() and those of what it refers to) and returns its implementation. */
  instance(name: string): Promise<object>;
  /** A component created here, as its server runs it: its implementation (or fake) and the statistics served calls count in. */
  served(name: string): Promise<ServedComponent>;
  /** The `host:port` each bound listener listens on, by name. */
  boundListeners(): Record<string, string>;
  /** Stops accepting on the listeners and lets their open requests finish. */
  closeListeners(): Promise<void>;
  /** Stops the listeners and runs the components' shutdown() hooks. */
  shutdown(): Promise<void>;
}

/** What a weavelet logs with; a pino logger is one. */
export interface WeaveletLogger {
  debug(attrs: object, msg: string): void;
  info(attrs: object, msg: string): void;
  warn(msg: string): void;
}

/** Options of startWeavelet. */
export interface WeaveletOptions {
  readonly args: ReplicaArgs;
  readonly app: Manifest;
  readonly logger: WeaveletLogger;
  /** Creates the process's component host, which places components and listeners as told. */
  readonly host: (placement: Placement) => HostedComponents;
  /**
   * Whether the process exits when its deployer is gone (stdin, which the deployer holds open,
   * closes); true by default. A deployer running a weavelet in its own process says false.
   */
  readonly exitWithDeployer?: boolean;
}

/** A running replica. */
export interface Weavelet {
  readonly host: HostedComponents;
  /** Stops serving (draining calls in flight), shuts the components down, then closes clients. */
  stop(): Promise<void>;
}

/**
 * Starts a replica; resolves once its hosted components are created, it serves them, and (under
 * a deployer) the deployer knows it is ready. Refuses arguments from a deployer that speaks
 * another version of the contract.
 */
export async function startWeavelet(options: WeaveletOptions): Promise<Weavelet> {
  const { args, app, logger } = options;
  checkProtocol(args);
  const hosted = new Set(args.hosts);
  for (const name of hosted) {
    if (!app.components.some((c) => c.name === name)) {
      throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `replica ${args.id} is asked to host ${name}, which app ${app.app} does not have`);
    }
  }
  const { mtls } = args;
  // Made before any client, which asks it for TLS at each new connection; it has its first
  // certificate before any component is created, so before any call is made.
  const credentials =
    mtls === undefined
      ? undefined
      : new Credentials({
          app: app.app,
          version: app.versionHash,
          sign: (publicKey, deadline) => (control as ControlChannel).sign(publicKey, deadline),
          warn: (message) => logger.warn(`replica ${args.id}: ${message}`),
          debug: (message) => logger.debug({}, `replica ${args.id}: ${message}`),
        });
  const clients = new Map<string, RpcClient>();
  const routing = new ClientRoutes();
  const clientFor = (name: string): RpcClient => {
    let client = clients.get(name);
    if (client === undefined) {
      const group = mtls?.groups[name];
      client = new RpcClient({
        deployment: args.deployment,
        version: app.versionHash,
        id: args.id,
        ...(credentials === undefined ? {} : { tls: credentials.clientTls(group ?? `(no group hosts ${name})`) }),
      });
      routing.apply(client, name, args.routes[name] ?? [], args.assignments?.[name]);
      clients.set(name, client);
    }
    return client;
  };
  const route = (name: string, entries: readonly RouteEntry[], assignment: AssignmentArgs | undefined): void =>
    routing.apply(clientFor(name), name, entries, assignment);
  // Routes are followed from the start: a component's init() may call components elsewhere.
  const control = args.control === undefined ? undefined : new ControlChannel(args, app, logger, route, options.exitWithDeployer ?? true);
  const host = options.host({
    listener: (name) => {
      const shown = args.proxies?.[name];
      const fd = args.listenerFds?.[name];
      return {
        address: parseAddress(args.listeners?.[name] ?? "127.0.0.1:0") as Address,
        ...(shown === undefined ? {} : { shown }),
        ...(fd === undefined ? {} : { fd }),
      };
    },
    remote: (name, caller) => {
      if (hosted.has(name)) return undefined;
      // With a deployer's control channel, routes come and go; without one, they are all there is.
      if (args.routes[name] === undefined && args.control === undefined) {
        throw runtimeError("WEAVER_ERR_REPLICA_ARGS", `replica ${args.id} calls ${name}, which it neither hosts nor has routes to`);
      }
      return remoteCalls(getComponent(name), clientFor(name), { caller });
    },
  });

  let server: RpcServer | undefined;
  const closeClients = (): void => {
    credentials?.close();
    control?.close();
    for (const client of clients.values()) client.close();
  };
  try {
    if (credentials !== undefined) {
      if (control === undefined) {
        throw runtimeError(
          "WEAVER_ERR_REPLICA_ARGS",
          `replica ${args.id} is asked to use mutual TLS but has no control address to get its certificate from`,
        );
      }
      await credentials.start();
    }
    const served = [...hosted].filter((n) => n !== MAIN_COMPONENT);
    for (const name of hosted) await host.instance(name);
    if (served.length > 0 || args.control !== undefined) {
      if (args.listen === undefined) {
        throw runtimeError(
          "WEAVER_ERR_REPLICA_ARGS",
          `replica ${args.id} hosts ${served.join(", ")} but has no listen address to serve them on`,
        );
      }
      const components = componentHandler(app, (name) => (hosted.has(name) && name !== MAIN_COMPONENT ? host.served(name) : undefined));
      const services = replicaServices(args.id);
      const handler: Handler = (payload, call) =>
        call.method >= RESERVED_METHODS ? serveReserved(services, call.method, payload.bytes) : components(payload, call);
      const policy = mtls === undefined ? undefined : callerPolicy(app, mtls.groups, RESERVED_METHODS);
      const serverTls = (): ServerTls | undefined => (policy === undefined ? undefined : credentials?.serverTls((c) => policy.identify(c)));
      server = new RpcServer({
        deployment: args.deployment,
        version: app.versionHash,
        id: args.id,
        handler: policy === undefined ? handler : policy.guard(handler),
        tls: serverTls(),
        deadlineReason: () => new DeadlineExceededError(),
        cancelReason: () => new CancelledError(),
        onBadPeer: (reason) => {
          logger.warn(reason);
          refusedHandshakes.add(rpc.stats.refused - refusedHandshakes.value);
        },
      });
      const rpc = server;
      credentials?.onRenew(() => rpc.setTls(serverTls() as ServerTls));
      const address = await server.listen(parseEndpoint(args.listen)!);
      // Under a deployer, readiness goes over the control channel; by hand, this line says it.
      const attrs = { address: formatEndpoint(address), components: served.join(","), ...(mtls === undefined ? {} : { mtls: true }) };
      if (args.control === undefined) logger.info(attrs, `replica ${args.id} serving`);
      else logger.debug(attrs, `replica ${args.id} serving`);
    }
    await control?.ready(host.boundListeners());
  } catch (e) {
    // Nothing of a replica that could not start may keep the process alive.
    await server?.close();
    closeClients();
    throw e;
  }
  return {
    host,
    async stop() {
      // Listeners stop accepting first, while served calls drain: a listener shared with other
      // replicas sends its waiting connections to them, and its port is free as soon as every
      // replica has closed it, not once each has finished its calls.
      await Promise.all([host.closeListeners(), server?.drain()]);
      try {
        await host.shutdown();
      } finally {
        closeClients();
      }
    },
  };
}

/** Refuses the arguments of a deployer that speaks another version of the contract. */
function checkProtocol(args: ReplicaArgs): void {
  if (args.protocol === DEPLOYER_PROTOCOL_VERSION) return;
  const theirs = args.protocol === undefined ? "a version older than 2 (it sent none)" : `version ${args.protocol}`;
  throw runtimeError(
    "WEAVER_ERR_PROTOCOL",
    `replica ${args.id}: the deployer that started it speaks deployer protocol ${theirs}, but this app's @weaver/runtime speaks version ${DEPLOYER_PROTOCOL_VERSION}; ` +
      "deploy the app with the weaver command of the Weaver version it was built with (`npx weaver` in the app's folder), or rebuild the app against the weaver that deploys it",
  );
}
