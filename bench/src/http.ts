/**
 * HTTP through a multi-process deployment: requests per second of the reverser example (Main's
 * HTTP listener calling Reverser over RPC) under `weaver multi deploy`, with 1 and with 2 replicas
 * per group, against the same app under `weaver single deploy`. Load comes from autocannon (10
 * keep-alive connections, run in this process), in alternating rounds of the three deployments;
 * each ratio is the median of the per-round ratios to the single-process rate of the same round.
 * Target: at least 0.6x with 1 replica per group.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "./harness.js";
import { start, stop, type Running } from "./multi.js";

/** The part of autocannon's programmatic API used here (it ships no types). */
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
}) => Promise<{ requests: { average: number }; non2xx: number; errors: number; timeouts: number }>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** Options of the HTTP cases. */
export interface HttpOptions {
  /** Rounds of the three deployments (default 5). */
  readonly rounds?: number;
  /** Seconds of load per deployment and round (default 2). */
  readonly seconds?: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Requests per second of `seconds` of load on a deployment; throws when a request failed. */
async function load(r: Running, seconds: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${r.port}/reverse?name=abcdefg`, connections: 10, duration: seconds });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} requests failed during the HTTP benchmark`);
  return result.requests.average;
}

/** Runs the HTTP cases; prints progress with `progress`. */
export async function httpCases(progress: (line: string) => void, options: HttpOptions = {}): Promise<Result[]> {
  const rounds = options.rounds ?? 5;
  const seconds = options.seconds ?? 2;
  const data = mkdtempSync(join(tmpdir(), "weaver-bench-http-"));
  const running: Running[] = [];
  try {
    const single = await start("single", data);
    running.push(single);
    const multi1 = await start("multi", data, "replicas = 1\n");
    running.push(multi1);
    const multi2 = await start("multi", data, "replicas = 2\n");
    running.push(multi2);
    const rates = { single: [] as number[], multi1: [] as number[], multi2: [] as number[] };
    const ratios = { multi1: [] as number[], multi2: [] as number[] };
    await load(single, 1); // warm-up
    await load(multi1, 1);
    await load(multi2, 1);
    for (let i = 0; i < rounds; i++) {
      const s = await load(single, seconds);
      const m1 = await load(multi1, seconds);
      const m2 = await load(multi2, seconds);
      rates.single.push(s);
      rates.multi1.push(m1);
      rates.multi2.push(m2);
      ratios.multi1.push(m1 / s);
      ratios.multi2.push(m2 / s);
      progress(
        `http round ${i + 1}: single ${s.toFixed(0)}/s, multi ×1 ${m1.toFixed(0)}/s (${(m1 / s).toFixed(2)}x), multi ×2 ${m2.toFixed(0)}/s (${(m2 / s).toFixed(2)}x)`,
      );
    }
    const row = (name: string, rate: number[], ratio: number[], target?: Result["target"]): Result => ({
      name,
      baseline: "weaver single deploy",
      ns: 1e9 / median(rate),
      baselineNs: 1e9 / median(rates.single),
      ratio: median(ratio),
      unit: "rate",
      ...(target === undefined ? {} : { target }),
    });
    return [
      row("HTTP, weaver multi deploy, 1 replica per group (10 connections)", rates.multi1, ratios.multi1, { ratio: 0.6, kind: "min" }),
      row("HTTP, weaver multi deploy, 2 replicas per group (10 connections)", rates.multi2, ratios.multi2),
    ];
  } finally {
    await Promise.all(running.map(stop));
    rmSync(data, { recursive: true, force: true });
  }
}
