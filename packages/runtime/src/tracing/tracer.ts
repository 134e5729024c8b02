/**
 * Tracing: the spans stubs and instrumented listeners start, the sampler that decides which
 * requests are traced, the buffer finished spans wait in until the deployer takes them, and the
 * OpenTelemetry API glue (a TracerProvider and a ContextManager over Weaver's call context), so
 * that app code uses the standard API: `trace.getActiveSpan()?.setAttribute(...)`,
 * `trace.getTracer("x").startActiveSpan(...)`.
 *
 * A trace starts where a request enters (an instrumented HTTP handler, or a span the app starts
 * with no parent) when the sampler says so: about `traces_per_second` each second, the next
 * sample time drawn uniformly from [now, now + 2/rate s]; a request that arrives with a sampled
 * W3C traceparent continues that trace. Inside a traced request every component call has spans:
 * internal for local calls, client and server for remote ones. Untraced calls create nothing.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  context as otelContext,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { activeContext, enterContext, withSpan } from "../calls/call-context.js";
import { Counter } from "../metrics/metrics.js";
import { WeaverSpan, newTraceId, parseTraceparent, type SpanRecord } from "./span.js";

/** Finished spans a process keeps for its deployer at most; older ones are dropped (and counted). */
export const SPAN_BUFFER_LIMIT = 10_000;

const dropped = new Counter("weaver_trace_spans_dropped_count", "Finished spans dropped because the deployer did not take them in time");
let buffer: SpanRecord[] = [];
const sink = (record: SpanRecord): void => {
  if (buffer.length >= SPAN_BUFFER_LIMIT) {
    buffer.shift();
    dropped.inc();
  }
  buffer.push(record);
};

/** Takes the spans finished since the last call. */
export function takeSpans(): SpanRecord[] {
  const out = buffer;
  buffer = [];
  return out;
}

let rate = 1;
/** Whether the next request starts a trace; a timer sets it again, so that sample() reads no clock. */
let due = true;
let timer: NodeJS.Timeout | undefined;

/** Sets about how many traces start per second (0: none). */
export function setTraceRate(perSecond: number): void {
  rate = perSecond;
  clearTimeout(timer);
  due = rate > 0;
}

/** Whether a request that arrives now starts a trace. */
function sample(): boolean {
  if (!due) return false;
  due = false;
  timer = setTimeout(() => (due = true), Math.random() * (2000 / rate));
  timer.unref();
  return true;
}

/** Starts a span under `parent` (the current span of a traced call). */
export function startChildSpan(parent: WeaverSpan, name: string, kind: SpanKind): WeaverSpan {
  return new WeaverSpan(name, kind, parent.spanContext().traceId, parent.spanContext().spanId, sink);
}

/**
 * Starts the span of a request that arrives (a server call, an HTTP request): a child of the
 * caller's span when `traceparent` is sampled; otherwise a new trace when `root` is set and the
 * sampler says so; otherwise none.
 */
export function startEntrySpan(name: string, kind: SpanKind, traceparent: string | undefined, root: boolean): WeaverSpan | undefined {
  const remote = parseTraceparent(traceparent);
  if (remote !== undefined)
    return (remote.traceFlags & 1) === 1 ? new WeaverSpan(name, kind, remote.traceId, remote.spanId, sink) : undefined;
  return root && sample() ? new WeaverSpan(name, kind, newTraceId(), "", sink) : undefined;
}

/** Ends `span` when `result` settles, recording the error it rejects with. */
export function endSpan(result: Promise<unknown>, span: WeaverSpan): void {
  result.then(
    () => span.end(),
    (e: unknown) => {
      span.fail(e);
      span.end();
    },
  );
}

/** The OpenTelemetry tracer apps get from `trace.getTracer()`. */
class WeaverTracer implements Tracer {
  startSpan(name: string, options: SpanOptions = {}, ctx?: Context): Span {
    const parent = options.root === true ? undefined : trace.getSpanContext(ctx ?? otelContext.active());
    const kind = options.kind ?? SpanKind.INTERNAL;
    let span: WeaverSpan | undefined;
    if (parent !== undefined && trace.isSpanContextValid(parent)) {
      if ((parent.traceFlags & 1) === 1) span = new WeaverSpan(name, kind, parent.traceId, parent.spanId, sink, options.startTime);
    } else if (sample()) {
      span = new WeaverSpan(name, kind, newTraceId(), "", sink, options.startTime);
    }
    if (span === undefined) return trace.wrapSpanContext(parent ?? { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 });
    if (options.attributes !== undefined) span.setAttributes(options.attributes);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined];
    const parentCtx = ctx ?? otelContext.active();
    const span = this.startSpan(name, options, parentCtx);
    return otelContext.with(trace.setSpan(parentCtx, span), () => fn(span)) as ReturnType<F>;
  }
}

const tracer = new WeaverTracer();

/** Hands out Weaver's tracer. */
class WeaverTracerProvider implements TracerProvider {
  getTracer(): Tracer {
    return tracer;
  }
}

/** The OpenTelemetry context, kept in Weaver's call context (one AsyncLocalStorage for both). */
class WeaverContextManager implements ContextManager {
  active(): Context {
    const state = activeContext();
    if (state?.otel !== undefined) return state.otel;
    return state?.span === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, state.span);
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const span = trace.getSpan(ctx);
    const state = withSpan(
      activeContext() ?? { deadline: undefined, signal: NEVER, metadata: {}, traceparent: undefined },
      span instanceof WeaverSpan ? span : undefined,
    );
    return enterContext({ ...state, signal: state.signal, otel: ctx }, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== "function") return target;
    const f = target as unknown as (...a: unknown[]) => unknown;
    return ((...a: unknown[]) => this.with(ctx, () => f(...a))) as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

const NEVER = new AbortController().signal;
let installed = false;

/**
 * Makes Weaver the process's OpenTelemetry tracer provider and context manager (once), and sets
 * the sampling rate. Returns false when another provider was registered first: then spans the app
 * starts through the API go there, and Weaver's own spans still work.
 */
export function installTracing(tracesPerSecond: number): boolean {
  setTraceRate(tracesPerSecond);
  if (installed) return true;
  installed = trace.setGlobalTracerProvider(new WeaverTracerProvider()) && otelContext.setGlobalContextManager(new WeaverContextManager());
  return installed;
}
