import { describe, expect, it } from "vitest";
import { balancerNamed, leastOutstanding, powerOfTwo, roundRobin, type Candidate } from "./balancer.js";

function candidates(...outstanding: number[]): Candidate[] {
  return outstanding.map((n, i) => ({ id: `r${i}`, outstanding: n }));
}

function tally(pick: () => Candidate, n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pick().id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe("balancers", () => {
  it("round-robin takes each replica in turn, whatever their load", () => {
    const b = roundRobin();
    const set = candidates(0, 50, 3);
    expect(Array.from({ length: 7 }, () => b.pick(set).id)).toEqual(["r0", "r1", "r2", "r0", "r1", "r2", "r0"]);
    expect(tally(() => b.pick(set), 3000)).toEqual({ r0: 1000, r1: 1000, r2: 1000 });
  });

  it("least-outstanding takes the least loaded, and rotates among ties", () => {
    const b = leastOutstanding();
    expect(b.pick(candidates(3, 1, 2)).id).toBe("r1");
    expect(b.pick(candidates(0, 0, 9)).id).not.toBe("r2");
    expect(tally(() => b.pick(candidates(1, 1, 1, 1)), 4000)).toEqual({ r0: 1000, r1: 1000, r2: 1000, r3: 1000 });
    // Simulated load: each pick adds a call; the spread stays within one call.
    const live = candidates(0, 0, 0);
    for (let i = 0; i < 299; i++) (b.pick(live) as { outstanding: number }).outstanding++;
    const loads = live.map((c) => c.outstanding);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
  });

  it("power-of-two takes the less loaded of two different random replicas", () => {
    // random() values pick indexes a = floor(r * n) and b among the others.
    const seq = [0.1, 0.9];
    let i = 0;
    const b = powerOfTwo(() => seq[i++ % seq.length]!);
    expect(b.pick(candidates(5, 9, 1)).id).toBe("r2"); // a = 0, b = 1 -> index 2 after skipping a
    expect(b.pick(candidates(7)).id).toBe("r0");
    // Never the most loaded of three when the two others are lighter.
    const p2 = powerOfTwo();
    const counts = tally(() => p2.pick(candidates(0, 100, 0)), 3000);
    // r1 wins only when both picks are r1, which cannot happen: two different replicas are drawn.
    expect(counts["r1"]).toBeUndefined();
    expect(counts["r0"]).toBeGreaterThan(1200);
    expect(counts["r2"]).toBeGreaterThan(1200);
  });

  it("power-of-two spreads equal load evenly", () => {
    const counts = tally(() => powerOfTwo().pick(candidates(0, 0, 0, 0)), 8000);
    for (const id of ["r0", "r1", "r2", "r3"]) {
      expect(counts[id]).toBeGreaterThan(1600);
      expect(counts[id]).toBeLessThan(2400);
    }
  });

  it("are chosen by name", () => {
    const set = candidates(4, 0);
    expect(balancerNamed("least-outstanding").pick(set).id).toBe("r1");
    expect(balancerNamed("power-of-two").pick(set).id).toBe("r1");
    expect(balancerNamed("round-robin").pick(set).id).toBe("r0");
  });
});
