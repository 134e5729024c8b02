/**
 * Client stubs over RPC: the RemoteCalls a generated client stub uses when its component runs in
 * other processes. It encodes arguments with the component's codec, sends them through an
 * RpcClient with the caller's deadline, metadata and trace context, and turns what comes back
 * into what the app expects: the result (checked against the method's declared result type), the
 * application error the method threw (with its class), DeadlineExceededError, CancelledError, or a
 * RemoteCallError naming the component, method and replica.
 *
 * A routed method's call carries the hash of its key, which the component's router computes from
 * the arguments, so the RpcClient sends it to the replica that owns the key.
 */
import { SpanKind } from "@opentelemetry/api";
import { ByteRange, RpcAppError, RpcError, hashKey, type ReplyHandler, type RoutingKey, type RpcClient } from "@weaver/rpc";
import { activeContext } from "./call-context.js";
import { CancelledError, DeadlineExceededError, RemoteCallError } from "./call-errors.js";
import { Codec, decodeError } from "./codec.js";
import { RemoteMethodMetrics } from "../metrics/method-metrics.js";
import { shortName } from "../names.js";
import { endSpan, startChildSpan } from "../tracing/tracer.js";
import type { RegisteredComponent, RemoteCalls } from "../generated/registry.js";
import { mismatchMessage } from "./value-checks.js";

/** The RPC method id of method `method` of the component at `index` in the manifest. */
export function methodId(index: number, method: number): number {
  return ((index << 16) | method) >>> 0;
}

/** Options of remoteCalls. */
export interface RemoteCallsOptions {
  /**
   * Run each retriable call this many extra times (testing only: exposes methods that are not
   * safe to retry). Default 0.
   */
  readonly injectRetries?: number;
  /** Told of each injected extra run: the method, and whether it answered as the first run did. */
  readonly onRepeat?: (method: string, sameAnswer: boolean) => void;
  /** The calling component, for the method metrics (default "": a call from outside any component). */
  readonly caller?: string;
  /** false: record no method metrics and no spans (benchmarks measure the cost against this). Default true. */
  readonly observe?: boolean;
  /**
   * false: do not check results against the declared types. Internal: only benchmarks, which
   * measure the cost of the checks against this, turn them off. Default true.
   */
  readonly validate?: boolean;
}

/** Creates the call path of a client stub for `component`, sending through `client`. */
export function remoteCalls(component: RegisteredComponent, client: RpcClient, options: RemoteCallsOptions = {}): RemoteCalls {
  const name = component.manifest.name;
  const index = component.app.components.findIndex((c) => c.name === name);
  const codec = new Codec(component.registration.structures);
  const methods = component.manifest.methods;
  const extra = options.injectRetries ?? 0;
  const onRepeat = options.onRepeat;
  // Per method: the options of a call made outside any context, and the decoder of replies.
  const plain = methods.map((method) => ({ retriable: method.retriable }));
  const caller = options.caller ?? "";
  const observe = options.observe ?? true;
  const metrics = methods.map((m) =>
    observe ? new RemoteMethodMetrics({ caller, component: name, method: m.name, remote: true }) : undefined,
  );
  const spanNames = methods.map((m) => `${shortName(name)}.${m.name}`);
  const validate = options.validate ?? true;
  const router = component.registration.router;
  // Per method: the hash of a call's routing key, or undefined for a method that is not routed.
  const keys = methods.map((method, m) => {
    const keyOf = router?.keys[m];
    if (router === undefined || keyOf === undefined) return undefined;
    const routerMethod = `${router.name}.${method.name}`;
    // A router bug fails the call, unsent, naming the router method and what went wrong.
    return (args: unknown[]): number => {
      let key: unknown;
      try {
        key = keyOf(args);
      } catch (e) {
        const why = `router method ${routerMethod} threw while computing the call's routing key (${String((e as Error)?.message ?? e)}); the call was not sent, fix ${routerMethod}`;
        throw new RemoteCallError(name, method.name, why, { cause: e });
      }
      try {
        return hashKey(key as RoutingKey);
      } catch (e) {
        const why = `router method ${routerMethod} returned a value that is not a routing key (${(e as Error).message}); the call was not sent, make ${routerMethod} return a number, string, bigint or flat object of those`;
        throw new RemoteCallError(name, method.name, why, { cause: e });
      }
    };
  });
  const decoders = methods.map((method, m) => {
    const check = validate ? component.registration.checks[m] : undefined;
    if (validate && check === undefined) {
      const reason = `${name}.${method.name} has no result check: run \`weaver generate\` on the app`;
      return (): unknown => {
        throw new RemoteCallError(name, method.name, reason);
      };
    }
    return (reply: ByteRange): unknown => {
      let value: unknown;
      try {
        value = codec.decode(reply.source, reply.start, reply.end);
      } catch (e) {
        throw new RemoteCallError(name, method.name, (e as Error).message, { cause: e });
      }
      // The reply is refused, not handed to the caller, when it does not match the declared type.
      if (check !== undefined && !check.result(value)) {
        throw new RemoteCallError(name, method.name, mismatchMessage("result", `${name}.${method.name}`));
      }
      return value;
    };
  });
  // Per method: the reply handler of calls that record no metrics (made once, not per call).
  const unobserved: Required<ReplyHandler<unknown>>[] = methods.map((method, m) => ({
    decode: decoders[m]!,
    error: (e: unknown) => callError(e, name, method.name),
  }));
  return {
    call(m: number, args: unknown[]): Promise<unknown> {
      const method = methods[m]!;
      const metric = metrics[m];
      const start = metric === undefined ? 0 : performance.now();
      metric?.calls.inc();
      let payload: ByteRange;
      try {
        payload = codec.encodeRange(args);
      } catch (e) {
        metric?.errors.inc();
        return Promise.reject(new RemoteCallError(name, method.name, (e as Error).message, { cause: e }));
      }
      metric?.requestBytes.put(payload.length);
      let key: number | undefined;
      try {
        key = keys[m]?.(args);
      } catch (e) {
        metric?.errors.inc();
        return Promise.reject(e);
      }
      const ctx = activeContext();
      const span = ctx?.span === undefined || !observe ? undefined : startChildSpan(ctx.span, spanNames[m]!, SpanKind.CLIENT);
      const options =
        ctx === undefined
          ? key === undefined
            ? plain[m]!
            : { retriable: method.retriable, key }
          : {
              deadline: ctx.deadline,
              signal: ctx.signal,
              metadata: ctx.metadata,
              traceparent: span?.traceparent ?? ctx.traceparent,
              retriable: method.retriable,
              key,
            };
      const id = methodId(index, m);
      const handler = metric === undefined ? unobserved[m]! : new ObservedReply(metric, start, decoders[m]!, name, method.name);
      let reply: Promise<unknown>;
      if (extra > 0 && method.retriable) {
        const again = (): Promise<Buffer> => client.call(id, payload, options);
        const first = repeat(client.call(id, payload, options), extra, again, (same) => onRepeat?.(method.name, same));
        reply = first.then(
          (bytes) => handler.decode(new ByteRange(bytes, 0, bytes.length)),
          (e: unknown) => {
            throw handler.error(e);
          },
        );
      } else reply = client.call(id, payload, options, handler);
      if (span !== undefined) endSpan(reply, span);
      return reply;
    },
  };
}

/** The reply handler of a call recorded in the method metrics: it times the call and counts its bytes and errors. */
class ObservedReply implements Required<ReplyHandler<unknown>> {
  constructor(
    readonly metric: RemoteMethodMetrics,
    readonly start: number,
    readonly decoder: (reply: ByteRange) => unknown,
    readonly component: string,
    readonly method: string,
  ) {}

  decode(reply: ByteRange): unknown {
    // A reply that does not decode, or fails its check, is counted by error() instead.
    const value = this.decoder(reply);
    this.metric.finish(this.start);
    this.metric.replyBytes.put(reply.length);
    return value;
  }

  error(e: unknown): unknown {
    this.metric.finish(this.start);
    this.metric.errors.inc();
    return callError(e, this.component, this.method);
  }
}

/** Runs a call `extra` more times after the first; the answer is the last run's. */
async function repeat(first: Promise<Buffer>, extra: number, again: () => Promise<Buffer>, told: (same: boolean) => void): Promise<Buffer> {
  const answer = await first;
  let last = answer;
  for (let i = 0; i < extra; i++) {
    last = await again();
    told(last.equals(answer));
  }
  return last;
}

/** Turns a failure of client.call into the error the caller sees. */
function callError(e: unknown, component: string, method: string): Error {
  if (e instanceof RpcAppError) {
    try {
      return decodeError(e.payload);
    } catch (d) {
      return new RemoteCallError(component, method, (d as Error).message, { cause: d });
    }
  }
  if (!(e instanceof RpcError)) return e as Error;
  if (e.kind === "deadline") return e.cause instanceof DeadlineExceededError ? e.cause : new DeadlineExceededError();
  if (e.kind === "cancelled") return e.cause instanceof Error ? e.cause : new CancelledError();
  // RemoteCallError names the replica itself; the rpc message's own "replica <id>: " would repeat it.
  const prefix = `replica ${e.endpoint}: `;
  const reason = e.endpoint !== undefined && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return new RemoteCallError(component, method, reason, { replica: e.endpoint, cause: e });
}
