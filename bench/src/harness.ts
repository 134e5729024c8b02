/**
 * A small benchmark harness. Machines are shared and noisy, so absolute times mean little: each
 * case runs a candidate and its baseline in alternating rounds and reports the median time per
 * operation of each and their ratio, all measured in the same run.
 */

/** A function under measurement: runs `n` operations. */
export type Body = (n: number) => Promise<void> | void;

/** The result of one case. */
export interface Result {
  readonly name: string;
  readonly baseline: string;
  /** Median nanoseconds per operation of the candidate. */
  readonly ns: number;
  /** Median nanoseconds per operation of the baseline. */
  readonly baselineNs: number;
  /** ns / baselineNs: how many times slower (or, below 1, faster) the candidate is. */
  readonly ratio: number;
  /** The target ratio, when there is one, and whether it is the ceiling or the floor. */
  readonly target?: { readonly ratio: number; readonly kind: "max" | "min" };
  /**
   * How the row reads. "time" (the default): nanoseconds per operation, lower is better, ratio =
   * ns / baselineNs. "rate": operations per second (shown as 1e9 / ns), higher is better, ratio =
   * candidate rate / baseline rate = baselineNs / ns.
   */
  readonly unit?: "time" | "rate";
}

async function time(body: Body, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  await body(n);
  return Number(process.hrtime.bigint() - start) / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** Options of a case. */
export interface CaseOptions {
  readonly name: string;
  readonly baseline: string;
  readonly candidate: Body;
  readonly reference: Body;
  readonly target?: Result["target"];
  /** Operations per round (default 20 000). */
  readonly ops?: number;
  /** Rounds of each (default 15). */
  readonly rounds?: number;
}

/** Measures a candidate against its baseline in alternating rounds, after a warm-up. */
export async function measure(o: CaseOptions): Promise<Result> {
  const ops = o.ops ?? 20_000;
  const rounds = o.rounds ?? 15;
  await o.candidate(ops);
  await o.reference(ops);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await time(o.candidate, ops));
    b.push(await time(o.reference, ops));
  }
  const ns = median(a);
  const baselineNs = median(b);
  return { name: o.name, baseline: o.baseline, ns, baselineNs, ratio: ns / baselineNs, ...(o.target ? { target: o.target } : {}) };
}

/** Options of a throughput case: `call` starts one operation; `inFlight` of them run at once. */
export interface ThroughputOptions extends Omit<CaseOptions, "candidate" | "reference"> {
  readonly candidate: () => Promise<unknown>;
  readonly reference: () => Promise<unknown>;
  /** Operations kept in flight (default 64). */
  readonly inFlight?: number;
}

/** Runs `n` operations with `inFlight` of them in flight at all times (a new one starts as one ends). */
export async function pipelined(n: number, inFlight: number, call: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
}

/**
 * Measures pipelined throughput (operations per second with `inFlight` in flight) of a candidate
 * against its baseline, in alternating rounds; the ratio is candidate rate / baseline rate.
 */
export async function measureThroughput(o: ThroughputOptions): Promise<Result> {
  const inFlight = o.inFlight ?? 64;
  const { candidate, reference } = o;
  const r = await measure({
    ...o,
    candidate: (n) => pipelined(n, inFlight, candidate),
    reference: (n) => pipelined(n, inFlight, reference),
  });
  return { ...r, ratio: r.baselineNs / r.ns, unit: "rate" };
}

/** Options of a latency case: `call` is one operation, run one at a time. */
export interface LatencyOptions {
  /** The case's name; " p50" and " p99" are appended. */
  readonly name: string;
  readonly baseline: string;
  readonly candidate: () => Promise<unknown>;
  readonly reference: () => Promise<unknown>;
  readonly target?: Result["target"];
  /** Operations per round (default 1 000). */
  readonly ops?: number;
  /** Rounds of each (default 6); the first round of each is a warm-up and is not counted. */
  readonly rounds?: number;
  /** The percentiles to report (default 50 and 99). */
  readonly percentiles?: readonly number[];
}

/**
 * Measures sequential latency: one operation at a time, each timed on its own, in alternating
 * rounds of candidate and baseline. Reports the given percentiles of all the per-operation times
 * of each (warm-up excluded), and their ratio.
 */
export async function measureLatency(o: LatencyOptions): Promise<Result[]> {
  const ops = o.ops ?? 1_000;
  const rounds = o.rounds ?? 6;
  const a: number[] = [];
  const b: number[] = [];
  const run = async (call: () => Promise<unknown>, into: number[] | undefined): Promise<void> => {
    for (let i = 0; i < ops; i++) {
      const start = process.hrtime.bigint();
      await call();
      const ns = Number(process.hrtime.bigint() - start);
      into?.push(ns);
    }
  };
  for (let i = 0; i < rounds; i++) {
    await run(o.candidate, i === 0 ? undefined : a);
    await run(o.reference, i === 0 ? undefined : b);
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  return (o.percentiles ?? [50, 99]).map((p) => {
    const ns = percentile(a, p);
    const baselineNs = percentile(b, p);
    return {
      name: `${o.name} p${p}`,
      baseline: o.baseline,
      ns,
      baselineNs,
      ratio: ns / baselineNs,
      ...(o.target ? { target: o.target } : {}),
    };
  });
}

/** The p-th percentile (nearest rank) of sorted numbers. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Whether a result meets its target: "met", "MISSED", or "" without a target. */
export function verdict(r: Result): string {
  if (r.target === undefined) return "";
  return (r.target.kind === "max" ? r.ratio <= r.target.ratio : r.ratio >= r.target.ratio) ? "met" : "MISSED";
}

/**
 * Formats results as a table with the ratio and whether the target is met; with `other` (the same
 * cases run under another Node, labelled `otherLabel`), its ratio and verdict in two more columns.
 */
export function table(title: string, results: readonly Result[], other?: readonly Result[], otherLabel = "other"): string {
  const mixed = results.some((r) => r.unit === "rate");
  const rows = results.map((r) => {
    const target = r.target === undefined ? "" : `${r.target.kind === "max" ? "≤" : "≥"} ${r.target.ratio}x`;
    const value = r.unit === "rate" ? rate : fmt;
    const row = [r.name, r.baseline, value(r.ns), value(r.baselineNs), `${r.ratio.toFixed(2)}x`, target, verdict(r)];
    if (other !== undefined) {
      const o = other.find((x) => x.name === r.name);
      row.push(o === undefined ? "-" : `${o.ratio.toFixed(2)}x`, o === undefined ? "" : verdict(o));
    }
    return row;
  });
  const head = mixed
    ? ["case", "baseline", "candidate", "baseline", "ratio", "target", ""]
    : ["case", "baseline", "ns/op", "baseline ns/op", "ratio", "target", ""];
  if (other !== undefined) head.push(`${otherLabel} ratio`, "");
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [title, line(head), ...rows.map(line)].join("\n");
}

function fmt(ns: number): string {
  if (ns >= 10_000_000) return `${(ns / 1e6).toFixed(0)} ms`;
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

/** Formats nanoseconds per operation as operations per second. */
function rate(ns: number): string {
  const perSecond = 1e9 / ns;
  return perSecond >= 10_000 ? `${(perSecond / 1000).toFixed(1)} k/s` : `${perSecond.toFixed(0)} /s`;
}
