/**
 * Sends spans to an OpenTelemetry collector over OTLP/HTTP with the JSON encoding
 * (`POST <endpoint>/v1/traces`), when weaver.toml names one (`[serviceweaver] otlp_endpoint`).
 * Spans are batched (sent every second, or at BATCH_SIZE); a batch the collector does not take is
 * dropped, and the failure is reported once until a batch goes through again: a collector that
 * is down must not make the deployer hold spans without bound.
 */
import type { AttributeValue } from "@opentelemetry/api";
import type { SpanRecord } from "./span.js";

const BATCH_SIZE = 512;
const FLUSH_EVERY_MS = 1_000;
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;

/** Sends spans to one collector. */
export class OtlpExporter {
  readonly #url: string;
  readonly #onError: (message: string) => void;
  #pending: SpanRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #inFlight: Promise<void> = Promise.resolve();

  /** `endpoint` is the collector's base URL (e.g. http://127.0.0.1:4318); `onError` hears of failures. */
  constructor(endpoint: string, onError: (message: string) => void) {
    this.#url = `${endpoint.replace(/\/+$/, "")}/v1/traces`;
    this.#onError = onError;
  }

  /** Queues spans for the next batch. */
  export(spans: readonly SpanRecord[]): void {
    this.#pending.push(...spans);
    if (this.#pending.length >= BATCH_SIZE) void this.flush();
    else if (this.#timer === undefined && this.#pending.length > 0) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
      this.#timer.unref();
    }
  }

  /** Sends what is queued; resolves when the collector has answered (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return this.#inFlight;
    const send = this.#send(batch);
    this.#inFlight = this.#inFlight.then(() => send);
    return this.#inFlight;
  }

  async #send(batch: readonly SpanRecord[]): Promise<void> {
    try {
      const res = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(otlpRequest(batch)),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`the collector answered HTTP ${res.status}`);
      this.#failing = false;
    } catch (e) {
      if (!this.#failing)
        this.#onError(
          `cannot send ${batch.length} spans to the OTLP collector at ${this.#url}: ${(e as Error).message}; dropping spans until it answers`,
        );
      this.#failing = true;
    }
  }
}

/** The OTLP JSON ExportTraceServiceRequest for `spans`, one resource per process. */
export function otlpRequest(spans: readonly SpanRecord[]): unknown {
  const byProcess = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const key = `${s.resource.deployment}/${s.resource.replica}`;
    const list = byProcess.get(key);
    if (list === undefined) byProcess.set(key, [s]);
    else list.push(s);
  }
  return {
    resourceSpans: [...byProcess.values()].map((list) => {
      const r = list[0]!.resource;
      return {
        resource: {
          attributes: attributes({
            "service.name": r.app,
            "service.instance.id": r.replica,
            "weaver.deployment": r.deployment,
            "process.pid": r.pid,
          }),
        },
        scopeSpans: [
          {
            scope: { name: "weaver" },
            spans: list.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === "" ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: KIND[s.kind],
              startTimeUnixNano: `${s.start}000`,
              endTimeUnixNano: `${s.end}000`,
              attributes: attributes(s.attributes),
              events: s.events.map((e) => ({ timeUnixNano: `${e.time}000`, name: e.name, attributes: attributes(e.attributes) })),
              status: { code: STATUS[s.status], ...(s.statusMessage === undefined ? {} : { message: s.statusMessage }) },
            })),
          },
        ],
      };
    }),
  };
}

function attributes(attrs: Readonly<Record<string, AttributeValue>>): unknown[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(v: AttributeValue): unknown {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => anyValue(x as AttributeValue)) } };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}
