/**
 * The RPC client of one component: the replica set (which may change at any time), a balancer
 * that picks a replica per call, retries, deadlines and cancellation.
 *
 * A call waits for a replica to be reachable until its deadline. A retriable call whose
 * connection breaks, or that a draining replica turns away, is tried again on another replica
 * when there is one, after a jittered backoff, until its deadline; a non-retriable call is sent
 * at most once (it is retried only when it provably did not run, i.e. was never sent or was
 * turned away). Calls without a deadline get defaultTimeoutMs; a deadline or the caller's signal
 * cancels the call on the server too.
 */
import { balancerNamed, type Balancer, type BalancerName } from "./balancer.js";
import { Endpoint, type EndpointOptions } from "./endpoint.js";
import { RpcError } from "./errors.js";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, REQUEST_HEADER_BYTES, type RequestHeader } from "./protocol.js";
import type { Address, ClientTls } from "./transport.js";

/** A replica of the component: its id and where it listens. */
export interface ReplicaAddress {
  readonly id: string;
  readonly address: Address;
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
  readonly maxFrameBytes?: number;
  /** How long a connection attempt may take, handshake included (default 5 s). */
  readonly connectTimeoutMs?: number;
  readonly tls?: ClientTls;
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
}

const SWEEP_MS = 100;

/** Calls one component's replicas. */
export class RpcClient {
  readonly #options: ClientOptions;
  readonly #endpointOptions: EndpointOptions;
  readonly #balancer: Balancer;
  readonly #defaultTimeoutMs: number;
  readonly #maxPayload: number;
  #endpoints = new Map<string, Endpoint>();
  #retired = new Set<Endpoint>();
  /** Resolvers waiting for the replica set to change. */
  #waiters: (() => void)[] = [];
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#endpointOptions = {
      hello: { protocol: PROTOCOL_VERSION, deployment: options.deployment, version: options.version, peer: options.id },
      maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      tls: options.tls,
    };
    const balancer = options.balancer ?? "round-robin";
    this.#balancer = typeof balancer === "string" ? balancerNamed(balancer) : balancer;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    // Room for the frame and request headers, a traceparent and some metadata.
    this.#maxPayload = maxFrameBytes - 5 - REQUEST_HEADER_BYTES - 1024;
  }

  /**
   * Replaces the replica set. New replicas are connected on first use; removed ones take no new
   * calls and close once their calls in flight are answered.
   */
  setReplicas(replicas: readonly ReplicaAddress[]): void {
    const next = new Map<string, Endpoint>();
    for (const r of replicas) {
      const existing = this.#endpoints.get(r.id);
      const same = existing !== undefined && JSON.stringify(existing.address) === JSON.stringify(r.address);
      next.set(r.id, same ? existing : new Endpoint(r.id, r.address, this.#endpointOptions));
    }
    for (const [id, e] of this.#endpoints) {
      if (next.get(id) !== e) {
        e.retire();
        if (e.outstanding > 0) this.#retired.add(e);
      }
    }
    this.#endpoints = next;
    this.#wake();
  }

  /** The replicas and the state of their connections. */
  replicas(): { id: string; state: string; outstanding: number }[] {
    return [...this.#endpoints.values()].map((e) => ({ id: e.id, state: e.state, outstanding: e.outstanding }));
  }

  /** Calls `method` with an encoded payload; settles with the encoded result. */
  async call(method: number, payload: Uint8Array, options: CallOptions): Promise<Buffer> {
    if (this.#closed) throw new RpcError("unavailable", "the client is closed");
    if (payload.length > this.#maxPayload) {
      throw new RpcError("too-large", `the request is ${payload.length} bytes, more than the ${this.#maxPayload} a frame can carry`);
    }
    const deadline = options.deadline ?? Date.now() + this.#defaultTimeoutMs;
    const header: RequestHeader = { method, timeoutMs: 0, traceparent: options.traceparent, metadata: options.metadata };
    const tried = new Set<Endpoint>();
    let backoff = this.#options.retryBackoffMs?.first ?? 5;
    for (let attempt = 0; ; attempt++) {
      this.#check(options.signal, deadline);
      const endpoint = await this.#pick(tried, deadline, options.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new RpcError("deadline", "deadline exceeded", { endpoint: endpoint.id });
      try {
        return await this.#send(endpoint, { ...header, timeoutMs: remaining }, payload, deadline, options.signal);
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        // "unavailable" calls never ran; "connection" calls may have, so only retriable ones go again.
        const again = e.kind === "unavailable" || (e.kind === "connection" && options.retriable);
        if (!again) throw e;
        tried.add(endpoint);
        const pause = Math.min(backoff, this.#options.retryBackoffMs?.max ?? 1_000) * (0.5 + Math.random());
        backoff *= 2;
        await this.#sleep(Math.min(pause, Math.max(0, deadline - Date.now())), options.signal);
      }
    }
  }

  /** Closes every connection; calls in flight fail. */
  close(): void {
    this.#closed = true;
    for (const e of [...this.#endpoints.values(), ...this.#retired]) e.close();
    this.#endpoints.clear();
    this.#retired.clear();
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#wake();
  }

  #send(endpoint: Endpoint, header: RequestHeader, payload: Uint8Array, deadline: number, signal: AbortSignal | undefined): Promise<Buffer> {
    const call = endpoint.call(header, payload, deadline);
    this.#startSweeper();
    if (signal === undefined) return call;
    const onAbort = (): void => endpoint.cancel(call.id, abortError(signal, endpoint.id));
    signal.addEventListener("abort", onAbort, { once: true });
    return call.finally(() => signal.removeEventListener("abort", onAbort));
  }

  /** Picks a ready replica not tried yet (or any ready one), connecting replicas as needed. */
  async #pick(tried: ReadonlySet<Endpoint>, deadline: number, signal: AbortSignal | undefined): Promise<Endpoint> {
    for (;;) {
      this.#check(signal, deadline);
      const all = [...this.#endpoints.values()];
      const ready = all.filter((e) => e.state === "ready");
      const fresh = ready.filter((e) => !tried.has(e));
      if (fresh.length > 0 || ready.length > 0) return this.#balancer.pick(fresh.length > 0 ? fresh : ready);
      const usable = all.filter((e) => e.state !== "refused");
      if (all.length > 0 && usable.length === 0) {
        throw new RpcError("refused", (all[0] as Endpoint).refusal ?? "every replica refused the connection");
      }
      const attempts = usable.filter((e) => e.connectable || e.state === "connecting").map((e) => e.connect());
      if (attempts.length > 0) {
        // The first replica to come up serves the call; failures only mean waiting for another.
        await this.#race(Promise.any(attempts).catch(() => undefined), deadline, signal);
        continue;
      }
      // Every replica is backing off (or there are none yet): wait for a change or the next attempt.
      const nextTry = Math.min(...usable.map((e) => e.retryAt), deadline);
      const waitMs = all.length === 0 ? deadline - Date.now() : Math.max(1, nextTry - Date.now());
      await this.#race(new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, waitMs).unref();
      }), deadline, signal);
      if (Date.now() >= deadline) {
        throw new RpcError("unavailable", all.length === 0 ? "no replicas to call" : "no replica could be reached before the deadline");
      }
    }
  }

  #check(signal: AbortSignal | undefined, deadline: number): void {
    if (signal?.aborted) throw abortError(signal, undefined);
    if (Date.now() >= deadline) throw new RpcError("deadline", "deadline exceeded");
  }

  async #race(p: Promise<unknown>, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        p,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          if (signal !== undefined) {
            onAbort = resolve;
            signal.addEventListener("abort", onAbort, { once: true });
          }
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return this.#race(new Promise((resolve) => setTimeout(resolve, ms)), Date.now() + ms, signal);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Expires calls past their deadline every SWEEP_MS while any is in flight. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      let remaining = 0;
      for (const e of this.#endpoints.values()) remaining += e.expire(now);
      for (const e of this.#retired) {
        const left = e.expire(now);
        remaining += left;
        if (left === 0) this.#retired.delete(e);
      }
      if (remaining === 0) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, SWEEP_MS);
    this.#sweeper.unref();
  }
}

/** The error a call rejects with when its signal aborts: the signal's own Error reason, or "cancelled". */
function abortError(signal: AbortSignal, endpoint: string | undefined): RpcError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof Error && (reason.name === "DeadlineExceededError" || reason.name === "TimeoutError");
  return new RpcError(timedOut ? "deadline" : "cancelled", timedOut ? "deadline exceeded" : "call cancelled", { endpoint, cause: reason });
}
