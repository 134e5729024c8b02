/**
 * The deployer's side of the control channel (deployer-protocol.ts): a server replicas report to
 * and long-poll routes from, and the calls a deployer makes to one replica (health, metrics, spans, profiles). Deployers use these rather than
 * the RPC layer, so the contract stays in one place.
 */
import { RpcAppError, RpcClient, RpcServer, RpcSystemError, SystemCode, parseEndpoint } from "@weaver/rpc";
import { Codec, encodeError } from "../calls/codec.js";
import { runtimeError } from "../errors.js";
import {
  CONTROL_READY,
  CONTROL_SIGN,
  DEPLOYER_PROTOCOL_VERSION,
  CONTROL_WATCH_ROUTES,
  HEALTH_METHOD,
  METRICS_METHOD,
  PROFILE_METHOD,
  SPANS_METHOD,
  type HealthReply,
  type MetricsReply,
  type ProfileReply,
  type ProfileRequest,
  type ReadyRequest,
  type RoutesReply,
  type SignReply,
  type SignRequest,
  type WatchRoutesRequest,
} from "./deployer-protocol.js";
import type { ReplicaEndpoint } from "../deployments/replica-endpoint.js";
import type { DeploymentTrust } from "../trust/deployment-trust.js";
import type { SpanRecord } from "../tracing/span.js";

const codec = new Codec();

/** What a deployer does with control calls. */
export interface ControlHandlers {
  /** A replica reports that it is ready (only replicas of this DEPLOYER_PROTOCOL_VERSION do). */
  ready(request: ReadyRequest): void;
  /**
   * A replica of another protocol version reported ready and was refused with `message` (its
   * call fails with it too); the deployer should report it rather than restart the replica.
   */
  refused(id: string, message: string): void;
  /** A replica waits for routes newer than the version it has (answer at the latest after a while). */
  watchRoutes(request: WatchRoutesRequest): Promise<RoutesReply>;
  /**
   * A replica asks for a certificate for its public key (mutual TLS); throw to refuse (an unknown
   * replica). Deployers without mutual TLS leave it out, and the call fails saying so.
   */
  sign?(request: SignRequest): SignReply | Promise<SignReply>;
}

/** The identity control connections must match: the deployment and the app version. */
export interface ControlIdentity {
  readonly deployment: string;
  readonly version: string;
}

/** The deployer's control server. */
export class ControlServer {
  readonly #server: RpcServer;

  constructor(identity: ControlIdentity, handlers: ControlHandlers) {
    this.#server = new RpcServer({
      ...identity,
      id: "deployer",
      handler: async (payload, call) => {
        const request = codec.decode(payload.source, payload.start, payload.end);
        switch (call.method) {
          case CONTROL_READY: {
            const ready = request as ReadyRequest;
            if (ready.protocol !== DEPLOYER_PROTOCOL_VERSION) {
              const error = protocolMismatch(ready);
              handlers.refused(String(ready.id), error.message);
              throw new RpcAppError(encodeError(error));
            }
            handlers.ready(ready);
            return codec.encode(null);
          }
          case CONTROL_WATCH_ROUTES:
            return codec.encode(await handlers.watchRoutes(request as WatchRoutesRequest));
          case CONTROL_SIGN: {
            if (handlers.sign === undefined) {
              throw new RpcAppError(
                encodeError(new Error("this deployer does not sign certificates: the deployment does not use mutual TLS")),
              );
            }
            try {
              return codec.encode(await handlers.sign(request as SignRequest));
            } catch (e) {
              throw new RpcAppError(encodeError(e));
            }
          }
          default:
            throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `no control method #${call.method}`);
        }
      },
    });
  }

  /** Listens on a Unix socket (`unix:<path>`). */
  async listen(address: string): Promise<void> {
    await this.#server.listen(parseEndpoint(address)!);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.#server.close();
  }
}

/** The error a replica of another protocol version gets, and its deployer reports. */
function protocolMismatch(ready: ReadyRequest): Error {
  const theirs = ready.protocol === undefined ? "version 1 (it sent none)" : `version ${String(ready.protocol)}`;
  return runtimeError(
    "WEAVER_ERR_PROTOCOL",
    `replica ${String(ready.id)} speaks deployer protocol ${theirs}, but this deployer speaks version ${DEPLOYER_PROTOCOL_VERSION}: ` +
      "the app was built against another Weaver version than the weaver command deploying it; deploy it with its own weaver (`npx weaver` in the app's folder), or update the app's @weaver/core and rebuild",
  );
}

/** A replica process as its deployer knows it. */
export interface ReplicaProcess {
  /** The replica's id. */
  readonly id: string;
  /** Where it serves RPC (ReplicaArgs.listen). */
  readonly address: string;
  /** The name of its group, as the status shows it (and its certificate names, under mutual TLS). */
  readonly group: string;
  /** Its process id. */
  readonly pid: number;
}

/**
 * The deployer's calls to one replica over its RPC address: health, metrics, spans, profiles. It
 * is the replica's ReplicaEndpoint for the status server until the deployer closes it (when the
 * process ends).
 */
export class ReplicaClient implements ReplicaEndpoint {
  readonly id: string;
  readonly group: string;
  readonly pid: number;
  readonly #client: RpcClient;
  #closed = false;

  /** With `trust`, the replica serves mutual TLS: the client presents the deployer's certificate and checks the replica's. */
  constructor(identity: ControlIdentity, replica: ReplicaProcess, trust?: DeploymentTrust) {
    this.id = replica.id;
    this.group = replica.group;
    this.pid = replica.pid;
    this.#client = new RpcClient({
      ...identity,
      id: "deployer",
      connectTimeoutMs: 2_000,
      ...(trust === undefined ? {} : { tls: trust.clientTls(replica.group) }),
    });
    this.#client.setReplicas([{ id: replica.id, address: parseEndpoint(replica.address)! }]);
  }

  /** Whether the deployer still reaches the replica (it closes the client when the process ends). */
  running(): boolean {
    return !this.#closed;
  }

  /** Resolves true when the replica answers healthy within `timeoutMs`, false otherwise. */
  async check(timeoutMs: number): Promise<boolean> {
    try {
      const reply = codec.decode(
        await this.#client.call(HEALTH_METHOD, codec.encode(null), { retriable: true, deadline: Date.now() + timeoutMs }),
      ) as HealthReply;
      return reply.healthy === true && reply.id === this.id;
    } catch {
      return false;
    }
  }

  /** The replica's metrics now; rejects when the replica does not answer within `timeoutMs`. */
  async metrics(timeoutMs: number): Promise<MetricsReply> {
    return (await this.#call(METRICS_METHOD, null, timeoutMs)) as MetricsReply;
  }

  /** The spans the replica finished since the last pull (taken from it: a lost reply loses them). */
  async spans(timeoutMs: number): Promise<SpanRecord[]> {
    return (await this.#call(SPANS_METHOD, null, timeoutMs)) as SpanRecord[];
  }

  /** A profile of the replica (a CPU profile takes `request.durationMs`). */
  async profile(request: ProfileRequest, timeoutMs: number): Promise<ProfileReply> {
    return (await this.#call(PROFILE_METHOD, request, timeoutMs)) as ProfileReply;
  }

  async #call(method: number, request: unknown, timeoutMs: number): Promise<unknown> {
    return codec.decode(await this.#client.call(method, codec.encode(request), { retriable: true, deadline: Date.now() + timeoutMs }));
  }

  /** Closes the connection. */
  close(): void {
    this.#closed = true;
    this.#client.close();
  }
}
