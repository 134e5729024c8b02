/**
 * The RPC client of one component: the replica set (which may change at any time), a balancer
 * that picks a replica per call, retries, deadlines and cancellation.
 *
 * A call waits for a replica to be reachable until its deadline. A retriable call whose
 * connection breaks, or that a draining replica turns away, is tried again on another replica
 * when there is one, after a jittered backoff, until its deadline; a non-retriable call is sent
 * at most once (it is retried only when it provably did not run, i.e. was never sent or was
 * turned away). Calls without a deadline get defaultTimeoutMs; a deadline or the caller's signal
 * cancels the call on the server too. Deadlines are kept by one timer per client, set for the
 * earliest deadline of the calls in flight, so a call fails on time without a timer of its own.
 *
 * Routed calls (with a key, on a client given a KeyAssignment) go to the replica of the key's
 * member instead (see route-table.ts), waiting for it to connect if need be; a retried routed
 * call goes to the same replica first, and to the key's runner-up once that replica is gone or
 * failed again. Everything else (deadlines, cancellation, retries, frame limits) is the same.
 */
import { balancerNamed, type Balancer } from "./balancer.js";
import { AS_BYTES, Attempt, failure, requestHead } from "./call-attempt.js";
import type { CallOptions, ClientOptions, ReplicaAddress, ReplyHandler } from "./client-options.js";
import { Endpoint, type EndpointOptions } from "./endpoint.js";
import { RpcError, abortError, closedError, tooLargeError } from "./errors.js";
import type { BodyPart } from "./frame-writer.js";
import { encodeRequestHead, setRequestTimeout } from "./frames.js";
import type { KeyAssignment } from "./key-assignment.js";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from "./protocol.js";
import { RouteTable } from "./route-table.js";

/** Timers cannot wait longer than this (Node fires longer ones at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bytes a frame adds to a request body: type and id (the length field is not counted). */
const FRAME_OVERHEAD = 5;

/** Calls one component's replicas. */
export class RpcClient {
  readonly #options: ClientOptions;
  readonly #endpointOptions: EndpointOptions;
  readonly #balancer: Balancer;
  readonly #defaultTimeoutMs: number;
  readonly #maxFrameBytes: number;
  #endpoints = new Map<string, Endpoint>();
  /** The routes of keyed calls; undefined without an assignment. */
  #routes: RouteTable | undefined;
  /** Endpoints removed from the set with calls still in flight. */
  readonly #retired = new Set<Endpoint>();
  /** Wake-ups of calls waiting for the replica set or a connection to change. */
  readonly #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  /** When #timer fires (Infinity: not set). */
  #timerAt = Infinity;
  readonly #onTimer = (): void => this.#expire();
  /** The head of calls without trace context or metadata (see requestHead). */
  readonly #scratchHead = encodeRequestHead({ method: 0, timeoutMs: 0, traceparent: undefined, metadata: undefined });
  #closed = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#endpointOptions = {
      hello: {
        protocol: PROTOCOL_VERSION,
        deployment: options.deployment,
        version: options.version,
        peer: options.id,
        maxFrameBytes: this.#maxFrameBytes,
      },
      maxFrameBytes: this.#maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      tls: options.tls,
      changed: () => this.#wake(),
    };
    const balancer = options.balancer ?? "round-robin";
    this.#balancer = typeof balancer === "string" ? balancerNamed(balancer) : balancer;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  }

  /**
   * Replaces the replica set, and the assignment that routes keyed calls (none: every call is
   * balanced). New replicas are connected on first use; removed ones take no new calls and close
   * once their calls in flight are answered.
   */
  setReplicas(replicas: readonly ReplicaAddress[], assignment?: KeyAssignment): void {
    if (this.#closed) return;
    const next = new Map<string, Endpoint>();
    for (const r of replicas) {
      const existing = this.#endpoints.get(r.id);
      const same = existing !== undefined && JSON.stringify(existing.address) === JSON.stringify(r.address);
      next.set(r.id, same ? existing : new Endpoint(r.id, r.address, this.#endpointOptions));
    }
    for (const [id, e] of this.#endpoints) {
      if (next.get(id) !== e) {
        e.retire();
        if (e.pending > 0) this.#retired.add(e);
      }
    }
    for (const e of this.#retired) if (e.pending === 0) this.#retired.delete(e);
    this.#endpoints = next;
    this.#routes = assignment === undefined ? undefined : new RouteTable(assignment, replicas, next);
    this.#wake();
  }

  /** The assignment keyed calls are routed by, if any. */
  get assignment(): KeyAssignment | undefined {
    return this.#routes?.assignment;
  }

  /** The replicas and the state of their connections. */
  replicas(): { id: string; state: string; outstanding: number }[] {
    return [...this.#endpoints.values()].map((e) => ({ id: e.id, state: e.state, outstanding: e.outstanding }));
  }

  /** The routes of a call: the client's, when the call has a key and some replica can take routed calls. */
  #routesOf(options: CallOptions): RouteTable | undefined {
    return options.key !== undefined && this.#routes?.routable === true ? this.#routes : undefined;
  }

  /**
   * Calls `method` with an encoded payload; settles with the encoded result, or with what
   * `handler` makes of the outcome.
   */
  call(method: number, payload: BodyPart, options: CallOptions): Promise<Buffer>;
  call<T>(method: number, payload: BodyPart, options: CallOptions, handler: ReplyHandler<T>): Promise<T>;
  call<T>(method: number, payload: BodyPart, options: CallOptions, handler = AS_BYTES as ReplyHandler<T>): Promise<T> {
    if (this.#closed) return Promise.reject(failure(handler, closedError()));
    let head: Buffer;
    try {
      head = requestHead(method, options, this.#scratchHead);
    } catch (e) {
      return Promise.reject(failure(handler, new RpcError("invalid", `the call cannot be sent: ${(e as Error).message}`, { cause: e })));
    }
    const bodyBytes = head.length + payload.length;
    if (bodyBytes + FRAME_OVERHEAD > this.#maxFrameBytes)
      return Promise.reject(failure(handler, tooLargeError(bodyBytes, this.#maxFrameBytes, "the client's")));
    const now = Date.now();
    const deadline = options.deadline ?? now + this.#defaultTimeoutMs;
    // The common case takes no detour: a replica is ready, so the call is sent at once, and only
    // a failure worth retrying goes on to the general path.
    let endpoint: Endpoint | undefined;
    if (deadline > now && !options.signal?.aborted) {
      const routes = this.#routesOf(options);
      endpoint = routes === undefined ? this.#pickReady() : routes.route(options.key as number);
      if (endpoint?.state !== "ready") endpoint = undefined;
    }
    if (endpoint === undefined || bodyBytes + FRAME_OVERHEAD > endpoint.maxFrameBytes) {
      // The head may be the shared scratch one: the general path keeps a copy.
      return this.#attempts(Buffer.from(head), payload, options, deadline, undefined, handler).catch((e: unknown) => {
        throw failure(handler, e);
      });
    }
    setRequestTimeout(head, Math.max(1, deadline - now));
    const first = endpoint;
    return new Promise<T>((resolve, reject) => {
      this.#send(first, head, payload, deadline, options.signal, handler, resolve, (e: unknown) => {
        if (!this.#retriable(e, options)) reject(failure(handler, e));
        else {
          // The scratch head has been reused since: encode the head again, as it was.
          const again = requestHead(method, options);
          this.#attempts(again, payload, options, deadline, { endpoint: first, error: e as RpcError }, handler).then(resolve, (e2) =>
            reject(failure(handler, e2)),
          );
        }
      });
    });
  }

  /** Whether a failed attempt may go to another replica: it never ran, or it may run again. */
  #retriable(e: unknown, options: CallOptions): boolean {
    if (!(e instanceof RpcError) || this.#closed) return false;
    return e.kind === "unavailable" || (e.kind === "connection" && options.retriable);
  }

  /**
   * A ready replica picked by the balancer, or undefined when none is ready. Replicas that may
   * connect are connected in the background, so new and restarted replicas soon take calls.
   */
  #pickReady(): Endpoint | undefined {
    let first: Endpoint | undefined;
    let ready: Endpoint[] | undefined;
    for (const e of this.#endpoints.values()) {
      if (e.state !== "ready") {
        if (e.connectable) e.connect().catch(() => {});
        continue;
      }
      if (first === undefined) first = e;
      else (ready ??= [first]).push(e);
    }
    return ready === undefined ? first : this.#balancer.pick(ready);
  }

  /**
   * The general path of a call: waits for a replica, sends, and retries failures worth retrying
   * on other replicas with jittered backoff, until the deadline. `failed` is an attempt that
   * already failed.
   */
  async #attempts<T>(
    head: Buffer,
    payload: BodyPart,
    options: CallOptions,
    deadline: number,
    failed: { endpoint: Endpoint; error: RpcError } | undefined,
    handler: ReplyHandler<T>,
  ): Promise<T> {
    const { signal } = options;
    // How often each replica failed this call: unrouted calls go elsewhere after one failure,
    // routed ones after two (the first retry goes to the same replica).
    const tried = new Map<Endpoint, number>();
    let backoff = this.#options.retryBackoffMs?.first ?? 5;
    let last: RpcError | undefined;
    let attempt = 0;
    const pause = async (endpoint: Endpoint, error: RpcError): Promise<void> => {
      last = error;
      tried.set(endpoint, (tried.get(endpoint) ?? 0) + 1);
      const ms = Math.min(backoff, this.#options.retryBackoffMs?.max ?? 1_000) * (0.5 + Math.random());
      backoff *= 2;
      await this.#wait(Math.min(Date.now() + ms, deadline), signal, false);
    };
    if (failed !== undefined) {
      attempt++;
      await pause(failed.endpoint, failed.error);
    }
    for (; ; attempt++) {
      if (Date.now() >= deadline) {
        const after = last === undefined ? "" : ` after ${attempt} attempts (last: ${last.message})`;
        throw new RpcError("deadline", `deadline exceeded${after}`, { endpoint: last?.endpoint, cause: last });
      }
      const endpoint =
        options.key !== undefined ? await this.#pickRouted(options, tried, deadline) : await this.#pick(tried, deadline, signal);
      const bodyBytes = head.length + payload.length;
      if (bodyBytes + FRAME_OVERHEAD > endpoint.maxFrameBytes)
        throw tooLargeError(bodyBytes, endpoint.maxFrameBytes, `replica ${endpoint.id}'s`);
      // Whatever an earlier attempt queued has been written by now, but never share a buffer.
      const attemptHead = attempt === 0 ? head : Buffer.from(head);
      // At least 1 ms: a timeout of 0 would mean "no deadline".
      setRequestTimeout(attemptHead, Math.max(1, deadline - Date.now()));
      try {
        return await new Promise<T>((resolve, reject) =>
          this.#send(endpoint, attemptHead, payload, deadline, signal, handler, resolve, reject),
        );
      } catch (e) {
        if (!this.#retriable(e, options)) throw e;
        await pause(endpoint, e as RpcError);
      }
    }
  }

  /** Closes every connection; calls in flight and calls waiting for a replica fail. */
  close(): void {
    this.#closed = true;
    for (const e of [...this.#endpoints.values(), ...this.#retired]) e.close();
    this.#endpoints.clear();
    this.#retired.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#wake();
  }

  /**
   * Sends one attempt to `endpoint`; `resolve` gets the reply as `handler` decodes it, `reject` why there is none
   * (including a decode that threw). Nothing is allocated per call beyond the waiter, and a
   * listener on the caller's signal when there is one.
   */
  #send<T>(
    endpoint: Endpoint,
    head: Buffer,
    payload: BodyPart,
    deadline: number,
    signal: AbortSignal | undefined,
    handler: ReplyHandler<T>,
    resolve: (value: T) => void,
    reject: (e: unknown) => void,
  ): void {
    // The signal may have fired while the replica was picked; its listener would never run.
    if (signal?.aborted) {
      reject(abortError(signal, endpoint.id));
      return;
    }
    const waiter = new Attempt(deadline, signal, handler, resolve, reject);
    let id: number;
    try {
      id = endpoint.call(head, payload, waiter);
    } catch (e) {
      reject(e);
      return;
    }
    if (deadline < this.#timerAt) this.#arm(deadline);
    if (signal !== undefined) waiter.watch(() => endpoint.cancel(id, abortError(signal, endpoint.id)));
  }

  /**
   * Picks the replica of a keyed call's key (one that failed it twice only when no other can take
   * it), connecting it and waiting for it until the deadline. Falls back to #pick when the call
   * cannot be routed: no assignment, or no replica of any member usable.
   */
  async #pickRouted(options: CallOptions, tried: ReadonlyMap<Endpoint, number>, deadline: number): Promise<Endpoint> {
    const { signal } = options;
    const fresh = (e: Endpoint): boolean => (tried.get(e) ?? 0) < 2;
    for (;;) {
      if (this.#closed) throw closedError();
      if (signal?.aborted) throw abortError(signal, undefined);
      if (Date.now() >= deadline) throw this.#unreachable();
      const routes = this.#routesOf(options);
      const endpoint = routes?.route(options.key as number, fresh) ?? routes?.route(options.key as number);
      if (endpoint === undefined) return this.#pick(tried, deadline, signal);
      if (endpoint.state === "ready") return endpoint;
      if (endpoint.connectable) endpoint.connect().catch(() => {}); // its state change wakes us
      await this.#wait(endpoint.state === "connecting" ? deadline : Math.min(deadline, endpoint.retryAt), signal, true);
    }
  }

  /**
   * Picks a ready replica not tried yet (or any ready one), connecting replicas as needed and
   * waiting, until the deadline, for one to come up.
   */
  async #pick(tried: { has(e: Endpoint): boolean }, deadline: number, signal: AbortSignal | undefined): Promise<Endpoint> {
    for (;;) {
      if (this.#closed) throw closedError();
      if (signal?.aborted) throw abortError(signal, undefined);
      if (Date.now() >= deadline) throw this.#unreachable();
      let ready: Endpoint[] | undefined;
      let fresh: Endpoint[] | undefined;
      let refused: Endpoint | undefined;
      let usable = 0;
      let nextTry = deadline;
      for (const e of this.#endpoints.values()) {
        const state = e.state;
        if (state === "ready") {
          (ready ??= []).push(e);
          if (!tried.has(e)) (fresh ??= []).push(e);
        } else if (state === "refused") {
          refused = e;
          continue;
        } else if (e.connectable)
          e.connect().catch(() => {}); // its state change wakes us
        else if (state === "closed" || state === "idle") nextTry = Math.min(nextTry, e.retryAt);
        usable++;
      }
      if (fresh !== undefined || ready !== undefined) return this.#balancer.pick((fresh ?? ready) as Endpoint[]);
      if (refused !== undefined && usable === 0) {
        throw new RpcError("refused", refused.refusal ?? "every replica refused the connection", { endpoint: refused.id });
      }
      // Wait for a connection to come up (or fail), the replica set to change, or the next attempt.
      await this.#wait(nextTry, signal, true);
    }
  }

  /** The error of a call whose deadline passed before any replica could be reached. */
  #unreachable(): RpcError {
    const all = [...this.#endpoints.values()];
    if (all.length === 0) return new RpcError("unavailable", "no replicas to call before the deadline");
    const last = all.find((e) => e.lastError !== undefined);
    const why = last === undefined ? "" : ` (last failure: ${last.lastError})`;
    return new RpcError("unavailable", `no replica could be reached before the deadline${why}`, { endpoint: last?.id });
  }

  /** Waits until `until`, the signal aborts, or (when `onChange`) the replica set or a connection changes. */
  #wait(until: number, signal: AbortSignal | undefined, onChange: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(Math.max(0, until - Date.now()), MAX_TIMER_MS));
      signal?.addEventListener("abort", done, { once: true });
      if (onChange) this.#waiters.add(done);
    });
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /** Sets the deadline timer to fire at `at`. */
  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimer, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
    this.#timer.unref();
  }

  /** Fails the calls past their deadline and sets the timer for the next one. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const e of this.#endpoints.values()) next = Math.min(next, e.expire(now));
    for (const e of this.#retired) {
      next = Math.min(next, e.expire(now));
      if (e.pending === 0) this.#retired.delete(e);
    }
    if (next < Infinity && !this.#closed) this.#arm(next);
  }
}
