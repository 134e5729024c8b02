/**
 * A replica's side of the deployer's control channel (deployer-protocol.ts): from the start it
 * long-polls the routing and hands each component's live replicas (and assignment, when it is
 * routed) to the RPC client that calls it (so a component's init() can already call components
 * in other processes), and it reports the replica ready once it serves. It also watches stdin,
 * which the deployer holds open: when it closes, the deployer is gone, and the replica exits
 * rather than outlive it.
 */
import { RpcAppError, RpcClient, parseEndpoint } from "@weaver/rpc";
import { Codec, decodeError } from "../calls/codec.js";
import type { Manifest } from "../generated/manifest.js";
import {
  CONTROL_READY,
  CONTROL_SIGN,
  CONTROL_WATCH_ROUTES,
  DEPLOYER_PROTOCOL_VERSION,
  type ReadyRequest,
  type RoutesReply,
  type SignReply,
  type SignRequest,
  type WatchRoutesRequest,
} from "./deployer-protocol.js";
import { assignmentsProblem, type AssignmentArgs, type ReplicaArgs, type RouteEntry } from "./replica-args.js";
import type { WeaveletLogger } from "./weavelet.js";

/** Hands a component's live replicas, and its assignment when it is routed, to the client that calls it. */
export type RouteHandler = (component: string, replicas: readonly RouteEntry[], assignment: AssignmentArgs | undefined) => void;

/** The codec of control messages (plain msgpack). */
const controlCodec = new Codec();

/** How long one routes long-poll may wait for a change. */
const WATCH_TIMEOUT_MS = 60_000;

/** The replica's connection to its deployer. */
export class ControlChannel {
  readonly #args: ReplicaArgs;
  readonly #client: RpcClient;
  readonly #logger: WeaveletLogger;
  readonly #route: RouteHandler;
  #closed = false;

  constructor(args: ReplicaArgs, app: Manifest, logger: WeaveletLogger, route: RouteHandler, exitWithDeployer: boolean) {
    this.#args = args;
    this.#logger = logger;
    this.#route = route;
    this.#client = new RpcClient({ deployment: args.deployment, version: app.versionHash, id: args.id });
    this.#client.setReplicas([{ id: "deployer", address: parseEndpoint(args.control as string)! }]);
    if (exitWithDeployer) {
      process.stdin.on("end", () => this.#deployerGone());
      process.stdin.on("error", () => this.#deployerGone());
      process.stdin.resume();
    }
    void this.#watch();
  }

  /** Tells the deployer the replica serves, with its listeners' bound addresses. */
  async ready(listeners: Record<string, string>): Promise<void> {
    const request: ReadyRequest = { id: this.#args.id, pid: process.pid, listeners, protocol: DEPLOYER_PROTOCOL_VERSION };
    try {
      await this.#client.call(CONTROL_READY, controlCodec.encode(request), { retriable: true });
    } catch (e) {
      // The deployer refused the replica (another protocol version): its reason is the error.
      throw e instanceof RpcAppError ? decodeError(e.payload) : e;
    }
  }

  /** Asks the deployer for a certificate for `publicKey` (PEM); rejects with the deployer's reason when it refuses. */
  async sign(publicKey: string, deadline: number): Promise<SignReply> {
    const request: SignRequest = { id: this.#args.id, publicKey };
    try {
      return controlCodec.decode(
        await this.#client.call(CONTROL_SIGN, controlCodec.encode(request), { retriable: true, deadline }),
      ) as SignReply;
    } catch (e) {
      throw e instanceof RpcAppError ? decodeError(e.payload) : e;
    }
  }

  /** Stops following routes. */
  close(): void {
    this.#closed = true;
    this.#client.close();
    process.stdin.pause();
  }

  async #watch(): Promise<void> {
    let version = -1;
    while (!this.#closed) {
      try {
        const request: WatchRoutesRequest = { id: this.#args.id, version };
        const reply = controlCodec.decode(
          await this.#client.call(CONTROL_WATCH_ROUTES, controlCodec.encode(request), {
            retriable: true,
            deadline: Date.now() + WATCH_TIMEOUT_MS,
          }),
        ) as RoutesReply;
        if (reply.version === version) continue;
        version = reply.version;
        // A malformed assignment would route nothing well: balance per call rather than fail calls.
        const problem = assignmentsProblem(reply.assignments);
        if (problem !== undefined)
          this.#logger.warn(`replica ${this.#args.id}: the deployer's routes are not valid (${problem}); calls are balanced without keys`);
        const assignments = problem === undefined ? reply.assignments : undefined;
        for (const [component, replicas] of Object.entries(reply.routes)) this.#route(component, replicas, assignments?.[component]);
      } catch (e) {
        if (this.#closed) return;
        this.#logger.debug({ err: e }, "routes long-poll failed; retrying");
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  #deployerGone(): void {
    if (this.#closed) return;
    this.#logger.warn("the deployer is gone; exiting");
    process.kill(process.pid, "SIGTERM");
  }
}
