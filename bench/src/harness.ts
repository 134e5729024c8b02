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

/** Formats results as a table with the ratio and whether the target is met. */
export function table(title: string, results: readonly Result[]): string {
  const rows = results.map((r) => {
    const met = r.target === undefined ? "" : (r.target.kind === "max" ? r.ratio <= r.target.ratio : r.ratio >= r.target.ratio) ? "met" : "MISSED";
    const target = r.target === undefined ? "" : `${r.target.kind === "max" ? "≤" : "≥"} ${r.target.ratio}x`;
    return [r.name, r.baseline, fmt(r.ns), fmt(r.baselineNs), `${r.ratio.toFixed(2)}x`, target, met];
  });
  const head = ["case", "baseline", "ns/op", "baseline ns/op", "ratio", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ").trimEnd();
  return [title, line(head), ...rows.map(line)].join("\n");
}

function fmt(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}
