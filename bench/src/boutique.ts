/**
 * `npm run bench -- boutique`: the Online Boutique (examples/boutique) under four set-ups (one
 * process; multi split, one process per component; multi co-located, two groups; and the
 * baseline, ten HTTP/JSON services), loaded by the Locust-like generator of boutique-load.ts:
 * - saturation: 32 users in a closed loop: requests per second, median and p99 latency;
 * - a fixed rate that all four sustain (half the slowest set-up's saturation rate, unless
 *   BOUTIQUE_RATE sets it), open loop: median and p99 latency;
 * and for both, CPU seconds per 1,000 requests summed over every process of the set-up (deployer,
 * replicas or services), from /proc before and after each round. Rounds alternate between the
 * set-ups (rotating which goes first); latencies are pooled over the rounds, rates and CPU are
 * medians of the rounds. BOUTIQUE_ROUNDS and BOUTIQUE_SECONDS shorten a run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploy, SETUPS, type Deployment, type Setup } from "./boutique-deploy.js";
import { BoutiqueLoad, type LoadResult } from "./boutique-load.js";

/** One set-up's figures in one mode. */
export interface BoutiqueRow {
  readonly setup: Setup;
  readonly processes: number;
  /** Requests answered per second (median of the rounds). */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds of all the set-up's processes per 1,000 requests (median of the rounds). */
  readonly cpuPer1k: number;
  readonly requests: number;
  readonly errors: number;
  /** Open loop: tasks that could not start on time because every simulated user was still busy. */
  readonly late: number;
}

/** The benchmark's result: saturation and fixed-rate rows. */
export interface BoutiqueReport {
  readonly users: number;
  readonly rate: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly saturation: BoutiqueRow[];
  readonly fixed: BoutiqueRow[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

interface Round {
  readonly load: LoadResult;
  readonly cpu: number;
}

async function round(d: Deployment, run: (load: BoutiqueLoad) => Promise<LoadResult>): Promise<Round> {
  const load = new BoutiqueLoad(d.port);
  try {
    const before = d.cpuSeconds();
    const result = await run(load);
    return { load: result, cpu: d.cpuSeconds() - before };
  } finally {
    load.close();
  }
}

function row(d: Deployment, rounds: Round[]): BoutiqueRow {
  const latencies = rounds.flatMap((r) => r.load.latencies).sort((a, b) => a - b);
  return {
    setup: d.setup,
    processes: d.processes(),
    rps: median(rounds.map((r) => r.load.requests / r.load.seconds)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuPer1k: median(rounds.map((r) => (r.cpu / r.load.requests) * 1000)),
    requests: rounds.reduce((n, r) => n + r.load.requests, 0),
    errors: rounds.reduce((n, r) => n + r.load.errors, 0),
    late: rounds.reduce((n, r) => n + r.load.late, 0),
  };
}

/** Runs `rounds` rounds of `run` on every deployment, rotating which goes first. */
async function alternate(
  deployments: Deployment[],
  rounds: number,
  run: (load: BoutiqueLoad) => Promise<LoadResult>,
  progress: (line: string) => void,
): Promise<BoutiqueRow[]> {
  const results = new Map<Deployment, Round[]>(deployments.map((d) => [d, []]));
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < deployments.length; j++) {
      const d = deployments[(i + j) % deployments.length] as Deployment;
      const r = await round(d, run);
      results.get(d)!.push(r);
      if (r.load.errors > 0) progress(`${d.setup}: ${r.load.errors} errors, e.g. ${r.load.samples[0]}`);
    }
  }
  return deployments.map((d) => row(d, results.get(d)!));
}

/** Runs the boutique benchmark; prints progress with `progress`. */
export async function boutiqueCases(progress: (line: string) => void): Promise<BoutiqueReport> {
  const rounds = Number(process.env["BOUTIQUE_ROUNDS"] ?? "3");
  const seconds = Number(process.env["BOUTIQUE_SECONDS"] ?? "8");
  const users = 32;
  const data = mkdtempSync(join(tmpdir(), "weaver-bench-boutique-"));
  const deployments: Deployment[] = [];
  try {
    for (const setup of SETUPS) {
      deployments.push(await deploy(setup, data));
      progress(`${setup}: up, ${deployments.at(-1)!.processes()} processes`);
    }
    for (const d of deployments) await round(d, (l) => l.closed(users, 3)); // warm-up (JIT, connections)
    const saturation = await alternate(deployments, rounds, (l) => l.closed(users, seconds), progress);
    for (const r of saturation) progress(`saturation, ${r.setup}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms`);
    const rate = Number(process.env["BOUTIQUE_RATE"] ?? Math.max(10, Math.floor(Math.min(...saturation.map((r) => r.rps)) / 2 / 10) * 10));
    progress(`fixed rate: ${rate} req/s`);
    const fixed = await alternate(deployments, rounds, (l) => l.open(rate, seconds), progress);
    return { users, rate, rounds, seconds, saturation, fixed };
  } finally {
    await Promise.all(deployments.map((d) => d.stop()));
    rmSync(data, { recursive: true, force: true });
  }
}

/** The report as a table: one row per set-up and mode, with split's ratios to the baseline. */
export function boutiqueTable(r: BoutiqueReport): string {
  const head = ["mode", "set-up", "procs", "req/s", "p50 ms", "p99 ms", "CPU s/1k req", "errors"];
  const rows: string[][] = [];
  for (const [mode, list] of [
    [`saturation (${r.users} users)`, r.saturation],
    [`fixed ${r.rate} req/s`, r.fixed],
  ] as const) {
    for (const x of list)
      rows.push([
        mode,
        x.setup,
        String(x.processes),
        x.rps.toFixed(0),
        x.p50Ms.toFixed(2),
        x.p99Ms.toFixed(2),
        x.cpuPer1k.toFixed(2),
        String(x.errors + x.late),
      ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const ratio = (list: BoutiqueRow[], key: "cpuPer1k" | "p50Ms" | "rps", a: Setup, b: Setup): string => {
    const x = list.find((row) => row.setup === a)![key];
    const y = list.find((row) => row.setup === b)![key];
    return (x / y).toFixed(2);
  };
  return [
    `Online Boutique: ${r.rounds} alternating rounds of ${r.seconds} s per set-up and mode; CPU summed over all processes of a set-up`,
    line(head),
    ...rows.map(line),
    `split / baseline: CPU per request ${ratio(r.fixed, "cpuPer1k", "multi split", "baseline")}x (fixed rate), ${ratio(r.saturation, "cpuPer1k", "multi split", "baseline")}x (saturation); median latency ${ratio(r.fixed, "p50Ms", "multi split", "baseline")}x; saturation rate ${ratio(r.saturation, "rps", "multi split", "baseline")}x`,
    `co-located / baseline: CPU per request ${ratio(r.fixed, "cpuPer1k", "multi co-located", "baseline")}x; median latency ${ratio(r.fixed, "p50Ms", "multi co-located", "baseline")}x`,
  ].join("\n");
}
