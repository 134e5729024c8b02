/**
 * Rounds of the deployed-calls benchmark (bench/src/deployed.ts), shared by the Main that calls
 * Echo in a real deployment and by the benchmark's raw echo client, so both are timed alike.
 */
import type { Row } from "./echo.js";

/** The payload: six fields of the usual kinds. */
export const ROW: Row = { id: 4711, name: "Ada Lovelace", email: "ada@example.com", age: 36, active: true, score: 98.5 };

/** Calls kept in flight in a throughput round. */
export const IN_FLIGHT = 64;

/**
 * Runs `n` calls after one checked call. "latency": one at a time, resolving with each call's
 * nanoseconds; "throughput": IN_FLIGHT in flight, resolving with the nanoseconds of all n.
 */
export async function timeRound(call: () => Promise<unknown>, kind: string, n: number): Promise<number | number[]> {
  const first = (await call()) as Row;
  if (first.email !== ROW.email || first.score !== ROW.score) throw new Error("the row came back changed");
  if (kind === "throughput") {
    const start = process.hrtime.bigint();
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < n) {
        started++;
        await call();
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, worker));
    return Number(process.hrtime.bigint() - start);
  }
  const ns: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await call();
    ns.push(Number(process.hrtime.bigint() - start));
  }
  return ns;
}
