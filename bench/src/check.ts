/**
 * The benchmark regression check (`npm run bench -- --check`, under a minute): a short run of the
 * rows with targets that regress first when a hot path does (local stubs, small remote calls
 * against the raw echo, HTTP through a multi deployment with 1 replica per group, remote calls
 * from Main in a multi deployment). It fails only
 * on a large regression: a row passes while its ratio is within 2.5 times its target in the bad
 * direction (at most 2.5x a ceiling, at least a floor divided by 2.5). It compares ratios measured in the same
 * run, never absolute times, since CI machines are shared and noisy.
 */
import { deployedCases } from "./deployed.js";
import { table, type Result } from "./harness.js";
import { httpCases } from "./http.js";
import { localStubCases } from "./local-stub.js";
import { rpcCases } from "./rpc.js";

/**
 * How far past its target a row may be before the check fails: wide, since a one-line local call
 * alone moves from 2.0x to 3.3x with what else runs on a 2-core machine.
 */
const MARGIN = 2.5;

/** Whether a result is within MARGIN of its target (true without a target). */
export function withinMargin(r: Result): boolean {
  if (r.target === undefined) return true;
  return r.target.kind === "max" ? r.ratio <= r.target.ratio * MARGIN : r.ratio >= r.target.ratio / MARGIN;
}

/** Runs the check, printing its rows; resolves to whether every row passed. */
export async function runCheck(progress: (line: string) => void): Promise<boolean> {
  const results: Result[] = [
    ...(await localStubCases(5)),
    // p99 of a short run is mostly the machine's other work: it would fail the check at random.
    ...(await rpcCases(progress, true)).flatMap((s) => s.results).filter((r) => !r.name.includes("p99")),
    ...(await httpCases(progress, { rounds: 2, seconds: 1 })),
    ...(await deployedCases(progress, { rounds: 4, latencyOps: 500, throughputOps: 10_000 })).filter((r) => !r.name.includes("p99")),
  ];
  console.log(table(`Regression check (fails past ${MARGIN}x the target)`, results));
  const failed = results.filter((r) => !withinMargin(r));
  for (const r of failed) console.log(`REGRESSION: ${r.name}: ${r.ratio.toFixed(2)}x against a target of ${r.target?.ratio}x`);
  console.log(failed.length === 0 ? "\nbench check passed" : `\nbench check FAILED: ${failed.length} rows`);
  return failed.length === 0;
}
