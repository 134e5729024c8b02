/**
 * Spans: Weaver's implementation of the OpenTelemetry API's Span, recording into plain records
 * (SpanRecord) that cross processes as msgpack and are stored by deployers. Only sampled spans
 * exist: an unsampled call creates no span at all, so tracing costs nothing where it is off.
 *
 * Trace context crosses processes as a W3C traceparent (`00-<trace id>-<span id>-<flags>`).
 */
import { randomBytes } from "node:crypto";
import {
  type SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
} from "@opentelemetry/api";

/** A finished span, as stored and shown. Times are microseconds since the epoch. */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  /** "" for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer";
  readonly start: number;
  readonly end: number;
  readonly status: "unset" | "ok" | "error";
  readonly statusMessage?: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly {
    readonly name: string;
    readonly time: number;
    readonly attributes: Readonly<Record<string, AttributeValue>>;
  }[];
  /** Where the span was recorded: app, deployment, replica id and process id. */
  readonly resource: SpanResource;
}

/** The process a span was recorded in. */
export interface SpanResource {
  readonly app: string;
  readonly deployment: string;
  readonly replica: string;
  readonly pid: number;
}

const KINDS = ["internal", "server", "client", "producer", "consumer"] as const;

/** A new random span id (16 hex digits). */
export function newSpanId(): string {
  return randomBytes(8).toString("hex");
}

/** A new random trace id (32 hex digits). */
export function newTraceId(): string {
  return randomBytes(16).toString("hex");
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C traceparent; undefined when it is malformed or all-zero. */
export function parseTraceparent(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (m === null || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
}

/** Formats a span context as a W3C traceparent. */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** Microseconds since the epoch. */
function micros(time?: TimeInput): number {
  if (time === undefined) return Math.round((performance.timeOrigin + performance.now()) * 1000);
  // Milliseconds: since the epoch, or (small values) performance.now() readings.
  if (typeof time === "number") return Math.round((time < 1e12 ? performance.timeOrigin + time : time) * 1000);
  if (time instanceof Date) return time.getTime() * 1000;
  return time[0] * 1e6 + Math.round(time[1] / 1000);
}

/** A recording span; `end()` hands its record to the sink it was created with. */
export class WeaverSpan implements Span {
  readonly #ctx: SpanContext;
  readonly #parent: string;
  readonly #kind: SpanKind;
  readonly #start: number;
  readonly #sink: (record: SpanRecord) => void;
  #name: string;
  #attributes: Record<string, AttributeValue> = {};
  #events: { name: string; time: number; attributes: Record<string, AttributeValue> }[] = [];
  #status: SpanStatus = { code: SpanStatusCode.UNSET };
  #ended = false;
  /** The traceparent children of this span carry. */
  readonly traceparent: string;

  constructor(name: string, kind: SpanKind, traceId: string, parentSpanId: string, sink: (record: SpanRecord) => void, start?: TimeInput) {
    this.#ctx = { traceId, spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
    this.#parent = parentSpanId;
    this.#kind = kind;
    this.#name = name;
    this.#sink = sink;
    this.#start = micros(start);
    this.traceparent = formatTraceparent(this.#ctx);
  }

  spanContext(): SpanContext {
    return this.#ctx;
  }
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.#ended && value !== undefined) this.#attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.setAttribute(k, v);
    return this;
  }
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#ended) return this;
    const isTime = typeof attributesOrTime === "number" || attributesOrTime instanceof Date || Array.isArray(attributesOrTime);
    const attributes = isTime || attributesOrTime === undefined ? {} : (attributesOrTime as Attributes);
    const clean: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) clean[k] = v;
    this.#events.push({ name, time: micros(isTime ? (attributesOrTime as TimeInput) : time), attributes: clean });
    return this;
  }
  // Links are not recorded: no Weaver view shows them yet.
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    if (!this.#ended) this.#status = status;
    return this;
  }
  updateName(name: string): this {
    if (!this.#ended) this.#name = name;
    return this;
  }
  isRecording(): boolean {
    return !this.#ended;
  }
  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === "string" ? { message: exception } : exception;
    this.addEvent(
      "exception",
      { "exception.type": (e as Error).name ?? "Error", "exception.message": e.message ?? String(exception) },
      time,
    );
  }
  /** Records an error: an exception event and an error status with its message. */
  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.recordException(error instanceof Error ? error : message);
    this.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  end(endTime?: TimeInput): void {
    if (this.#ended) return;
    this.#ended = true;
    const { code, message } = this.#status;
    this.#sink({
      traceId: this.#ctx.traceId,
      spanId: this.#ctx.spanId,
      parentSpanId: this.#parent,
      name: this.#name,
      kind: KINDS[this.#kind] ?? "internal",
      start: this.#start,
      end: Math.max(this.#start, micros(endTime)),
      status: code === SpanStatusCode.ERROR ? "error" : code === SpanStatusCode.OK ? "ok" : "unset",
      ...(message === undefined ? {} : { statusMessage: message }),
      attributes: this.#attributes,
      events: this.#events,
      resource: RESOURCE.current,
    });
  }
}

/** The process's span resource, set by the runtime at start (see setSpanResource). */
const RESOURCE: { current: SpanResource } = { current: { app: "", deployment: "", replica: "", pid: process.pid } };

/** Sets what every span of this process records as its resource. */
export function setSpanResource(resource: Omit<SpanResource, "pid">): void {
  RESOURCE.current = { ...resource, pid: process.pid };
}
