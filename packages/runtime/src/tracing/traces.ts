/**
 * A deployment's traces as its deployer (or a single-process app) keeps them: spans pulled from
 * the processes every second go into the TraceStore and, when the config names a collector, to
 * the OTLP exporter too.
 */
import type { AppConfig } from "../config/config.js";
import { OtlpExporter } from "./otlp-exporter.js";
import type { SpanRecord } from "./span.js";
import { TraceStore } from "./trace-store.js";

/** How often spans are pulled from the processes. */
export const SPAN_PULL_EVERY_MS = 1_000;

/** Collects the spans of one deployment. */
export class Traces {
  /** The stored traces, for the status server. */
  readonly store: TraceStore;
  readonly #otlp: OtlpExporter | undefined;
  readonly #pull: () => Promise<SpanRecord[]>;
  #timer: NodeJS.Timeout | undefined;
  #pulling: Promise<void> = Promise.resolve();

  /**
   * `pull` returns the spans the processes finished since the last pull; `file` keeps the traces
   * on disk; `warn` hears of a collector that does not take spans.
   */
  constructor(options: { config: AppConfig; file?: string; pull: () => Promise<SpanRecord[]>; warn: (message: string) => void }) {
    this.store = new TraceStore(options.file === undefined ? {} : { file: options.file });
    this.#otlp = options.config.otlpEndpoint === undefined ? undefined : new OtlpExporter(options.config.otlpEndpoint, options.warn);
    this.#pull = options.pull;
  }

  /** Starts pulling every SPAN_PULL_EVERY_MS. */
  start(): void {
    this.#timer = setInterval(() => void this.collect(), SPAN_PULL_EVERY_MS);
    this.#timer.unref();
  }

  /** Pulls now (one pull at a time) and stores what arrives. */
  collect(): Promise<void> {
    this.#pulling = this.#pulling.then(async () => {
      const spans = await this.#pull().catch(() => []);
      this.store.add(spans);
      this.#otlp?.export(spans);
    });
    return this.#pulling;
  }

  /** The store, once what the processes finished until now is in it (for the status server). */
  async current(): Promise<TraceStore> {
    await this.collect();
    return this.store;
  }

  /** Stops pulling, after one last pull, and sends what the exporter holds. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.collect();
    await this.#otlp?.flush();
  }
}
