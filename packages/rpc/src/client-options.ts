/** The options of an RPC client and of its calls, and what a caller does with a call's outcome. */
import type { Balancer, BalancerName } from "./balancer.js";
import type { ByteRange } from "./protocol.js";
import type { Address, ClientTls } from "./transport.js";

/** A replica of the component: its id, where it listens, and its routing member. */
export interface ReplicaAddress {
  readonly id: string;
  readonly address: Address;
  /** The stable name of the replica's slot in its group: its member in the component's KeyAssignment. */
  readonly member?: string | undefined;
}

/** Options of an RPC client. */
export interface ClientOptions {
  /** The deployment and app version servers must match. */
  readonly deployment: string;
  readonly version: string;
  /** The caller's replica id, sent in the handshake. */
  readonly id: string;
  /** How calls pick a replica (default round-robin). */
  readonly balancer?: BalancerName | Balancer;
  /** The deadline of calls that have none (default 30 s). */
  readonly defaultTimeoutMs?: number;
  /** The largest frame the client sends or accepts (default MAX_FRAME_BYTES). */
  readonly maxFrameBytes?: number;
  /** How long a connection attempt may take, handshake included (default 5 s). */
  readonly connectTimeoutMs?: number;
  /**
   * TLS for every connection; a function is asked at each new connection, so that certificates
   * can rotate (open connections keep the certificate they were made with).
   */
  readonly tls?: ClientTls | (() => ClientTls);
  /** First and largest pause between attempts of a call (defaults 5 ms and 1 s), jittered. */
  readonly retryBackoffMs?: { readonly first: number; readonly max: number };
}

/** The options of one call. */
export interface CallOptions {
  /** Absolute deadline in ms since the epoch; defaultTimeoutMs from now when absent. */
  readonly deadline?: number | undefined;
  readonly traceparent?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** Cancels the call; its reason becomes the rejection when it is an Error. */
  readonly signal?: AbortSignal | undefined;
  /** Whether the call may run again on another replica after a failure. */
  readonly retriable: boolean;
  /** The hash (hashKey) of the call's routing key: the call is routed when the client has an assignment. */
  readonly key?: number | undefined;
}

/**
 * What a call's caller does with its outcome, inside the client: decode the reply as it arrives
 * (while its bytes are still the socket's chunk, without a copy, a view or a promise of its own),
 * and turn a failure into the error the caller sees. A decode that throws fails the call.
 */
export interface ReplyHandler<T> {
  decode(reply: ByteRange): T;
  error?(e: unknown): unknown;
}
