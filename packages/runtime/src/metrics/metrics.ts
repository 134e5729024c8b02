/**
 * Metrics: counters, gauges and histograms, with or without labels, registered process-wide when
 * they are declared (at module scope, once). A labelled metric's label type is checked by the
 * compiler: `new CounterMap<{ method: string; ok: boolean }>(...)` accepts `.get({ method, ok })`
 * and nothing else. Label names are the label object's keys, sorted; they are fixed by the first
 * get() and checked on later ones.
 *
 * Each labelled metric keeps at most `maxSeries` label sets (default 1000); values for further
 * label sets go to one overflow series whose label values are all OVERFLOW_LABEL, and every such
 * get() is counted in weaver_metric_overflow_count{metric}. Memory stays bounded whatever the
 * values.
 *
 * snapshotMetrics() reads every metric (deployers pull it from replicas, see deployer-protocol.ts).
 */
import { runtimeError } from "../errors.js";

/** A label object: flat keys with string, number or boolean values. */
export type Labels<L> = { readonly [K in keyof L]: string | number | boolean };

/** What a metric measures: a count that only grows, a value that goes up and down, or a distribution. */
export type MetricType = "counter" | "gauge" | "histogram";

/** The value of one label set of a metric at one moment. */
export interface SeriesSnapshot {
  /** Label values, aligned with MetricSnapshot.labels. */
  readonly labels: readonly string[];
  /** Counter or gauge value; for a histogram, the sum of the observed values. */
  readonly value: number;
  /** Histogram only: observations per bucket (not cumulative), one more than there are bounds. */
  readonly counts?: readonly number[];
}

/** Every series of one metric at one moment. */
export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Label names, sorted. */
  readonly labels: readonly string[];
  /** Histogram only: the upper bounds of the buckets (a value v falls in the first with v <= bound). */
  readonly bounds?: readonly number[];
  readonly series: readonly SeriesSnapshot[];
}

/** The label value of the series that collects label sets beyond a metric's cap. */
export const OVERFLOW_LABEL = "_overflow_";

/** Default cap of label sets per metric. */
export const DEFAULT_MAX_SERIES = 1000;

/** Bucket bounds of the generated latency (microseconds) and size (bytes) histograms: 1, 2, 5, 10, ... 5e9. */
export const GENERATED_BOUNDS: readonly number[] = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));

/** Options of a labelled metric. */
export interface MetricOptions {
  /** Most label sets kept (default 1000); further ones share an overflow series. */
  readonly maxSeries?: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const registry = new Map<string, MetricFamily<Series>>();

/** One label set's value. Counters and gauges use `value`; histograms add bucket counts. */
export class Series {
  value = 0;
  constructor(readonly labels: readonly string[]) {}
}

/** A histogram's series. */
class HistogramSeries extends Series {
  readonly counts: number[];
  constructor(
    labels: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(labels);
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  put(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.value += v;
  }
}

/** The shared part of every metric: name, help, type, and its series by label values. */
class MetricFamily<S extends Series> {
  readonly series = new Map<string, S>();
  labelNames: readonly string[] | undefined;
  #overflow: S | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly make: (labels: readonly string[]) => S,
    readonly maxSeries: number,
    readonly bounds?: readonly number[],
  ) {
    if (!NAME.test(name))
      throw runtimeError(
        "WEAVER_ERR_METRIC",
        `metric name ${JSON.stringify(name)} is not valid: use letters, digits, _ and :, not starting with a digit`,
      );
    if (registry.has(name))
      throw runtimeError("WEAVER_ERR_METRIC", `metric ${name} is declared twice: declare each metric once, at module scope`);
    registry.set(name, this as unknown as MetricFamily<Series>);
  }

  /** The series of a label object (validated against the label names). */
  get(labels: object): S {
    const keys = Object.keys(labels).sort();
    if (this.labelNames === undefined) {
      for (const k of keys) {
        if (!NAME.test(k) || k.startsWith("__"))
          throw runtimeError("WEAVER_ERR_METRIC", `label ${JSON.stringify(k)} of metric ${this.name} is not a valid label name`);
      }
      this.labelNames = keys;
    } else if (keys.length !== this.labelNames.length || keys.some((k, i) => k !== this.labelNames![i])) {
      throw runtimeError("WEAVER_ERR_METRIC", `metric ${this.name} has labels {${this.labelNames.join(", ")}}, not {${keys.join(", ")}}`);
    }
    const values = keys.map((k) => String((labels as Record<string, unknown>)[k]));
    const key = values.join("\u0000");
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) {
        overflowCount.get({ metric: this.name }).inc();
        return (this.#overflow ??= this.make(keys.map(() => OVERFLOW_LABEL)));
      }
      s = this.make(values);
      this.series.set(key, s);
    }
    return s;
  }

  snapshot(): MetricSnapshot {
    const all = this.#overflow === undefined ? [...this.series.values()] : [...this.series.values(), this.#overflow];
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      labels: this.labelNames ?? [],
      ...(this.bounds === undefined ? {} : { bounds: this.bounds }),
      series: all.map((s) => ({ labels: s.labels, value: s.value, ...(s instanceof HistogramSeries ? { counts: [...s.counts] } : {}) })),
    };
  }
}

function checkBounds(name: string, bounds: readonly number[]): readonly number[] {
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i]) || (i > 0 && bounds[i]! <= bounds[i - 1]!)) {
      throw runtimeError(
        "WEAVER_ERR_METRIC",
        `the bounds of histogram ${name} must be finite and strictly increasing; got [${bounds.join(", ")}]`,
      );
    }
  }
  return [...bounds];
}

/** Marks the internal constructor path of Counter, Gauge and Histogram: wrap an existing series. */
const ADOPT: unique symbol = Symbol("adopt");
type Adopting<T, S> = new (tag: typeof ADOPT, series: S) => T;

/** A count that only grows. */
export class Counter {
  readonly #s: Series;
  constructor(name: string, help: string);
  constructor(name: string | typeof ADOPT, help: string | Series) {
    this.#s = name === ADOPT ? (help as Series) : new MetricFamily(name, help as string, "counter", (l) => new Series(l), 1).get({});
  }
  /** Adds one. */
  inc(): void {
    this.#s.value++;
  }
  /** Adds `delta`, which must not be negative. */
  add(delta: number): void {
    if (!(delta >= 0))
      throw runtimeError("WEAVER_ERR_METRIC", `a counter only grows: cannot add ${delta}; use a Gauge for values that go down`);
    this.#s.value += delta;
  }
  /** The current value. */
  get value(): number {
    return this.#s.value;
  }
}

/** A value that goes up and down. */
export class Gauge {
  readonly #s: Series;
  constructor(name: string, help: string);
  constructor(name: string | typeof ADOPT, help: string | Series) {
    this.#s = name === ADOPT ? (help as Series) : new MetricFamily(name, help as string, "gauge", (l) => new Series(l), 1).get({});
  }
  /** Sets the value. */
  set(v: number): void {
    this.#s.value = v;
  }
  /** Adds `delta` (negative to subtract). */
  add(delta: number): void {
    this.#s.value += delta;
  }
  /** The current value. */
  get value(): number {
    return this.#s.value;
  }
}

/** A distribution over fixed buckets: n bounds make n + 1 buckets (the last one unbounded). */
export class Histogram {
  readonly #s: HistogramSeries;
  constructor(name: string, help: string, bounds: readonly number[]);
  constructor(name: string | typeof ADOPT, help: string | HistogramSeries, bounds?: readonly number[]) {
    if (name === ADOPT) {
      this.#s = help as HistogramSeries;
    } else {
      const b = checkBounds(name, bounds ?? []);
      this.#s = new MetricFamily(name, help as string, "histogram", (l) => new HistogramSeries(l, b), 1, b).get({});
    }
  }
  /** Records one observation. */
  put(v: number): void {
    this.#s.put(v);
  }
  /** Observations so far. */
  get count(): number {
    return this.#s.counts.reduce((a, b) => a + b, 0);
  }
  /** Sum of the observations so far. */
  get sum(): number {
    return this.#s.value;
  }
}

/** A counter per label set. */
export class CounterMap<L extends Labels<L>> {
  readonly #f: MetricFamily<Series>;
  constructor(name: string, help: string, options: MetricOptions = {}) {
    this.#f = new MetricFamily(name, help, "counter", (l) => new Series(l), options.maxSeries ?? DEFAULT_MAX_SERIES);
  }
  /** The counter of one label set (look it up once and keep it where calls are hot). */
  get(labels: L): Counter {
    return handle(this.#f.get(labels), Counter as unknown as Adopting<Counter, Series>);
  }
}

/** A gauge per label set. */
export class GaugeMap<L extends Labels<L>> {
  readonly #f: MetricFamily<Series>;
  constructor(name: string, help: string, options: MetricOptions = {}) {
    this.#f = new MetricFamily(name, help, "gauge", (l) => new Series(l), options.maxSeries ?? DEFAULT_MAX_SERIES);
  }
  /** The gauge of one label set. */
  get(labels: L): Gauge {
    return handle(this.#f.get(labels), Gauge as unknown as Adopting<Gauge, Series>);
  }
}

/** A histogram per label set. */
export class HistogramMap<L extends Labels<L>> {
  readonly #f: MetricFamily<HistogramSeries>;
  constructor(name: string, help: string, bounds: readonly number[], options: MetricOptions = {}) {
    const b = checkBounds(name, bounds);
    this.#f = new MetricFamily(name, help, "histogram", (l) => new HistogramSeries(l, b), options.maxSeries ?? DEFAULT_MAX_SERIES, b);
  }
  /** The histogram of one label set. */
  get(labels: L): Histogram {
    return handle(this.#f.get(labels), Histogram as unknown as Adopting<Histogram, HistogramSeries>);
  }
}

// One handle per series, cached, so that get() allocates only for a new label set.
const handles = new WeakMap<Series, object>();
function handle<T extends object, S extends Series>(s: S, cls: Adopting<T, S>): T {
  let h = handles.get(s) as T | undefined;
  if (h === undefined) handles.set(s, (h = new cls(ADOPT, s)));
  return h;
}

/** Every metric of this process, now. */
export function snapshotMetrics(): MetricSnapshot[] {
  return [...registry.values()].map((f) => f.snapshot());
}

const overflowCount = new CounterMap<{ metric: string }>(
  "weaver_metric_overflow_count",
  "Label sets a metric did not keep because it had reached its cap",
  { maxSeries: 10_000 },
);
