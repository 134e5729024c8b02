import { describe, expect, it } from "vitest";
import { profileProcess, startHeapSampling } from "./profiler.js";

/** Keeps the CPU busy for `ms` in a function the profile should show. */
function spinForProfilerTest(ms: number): number {
  let x = 0;
  for (const end = Date.now() + ms; Date.now() < end; ) x += Math.sqrt(x + 1);
  return x;
}

describe("profileProcess", () => {
  it("takes a CPU profile over the duration, in V8's .cpuprofile format", async () => {
    const taking = profileProcess({ type: "cpu", durationMs: 300 });
    await new Promise((r) => setTimeout(r, 20));
    spinForProfilerTest(200);
    const profile = JSON.parse(await taking) as {
      nodes: { id: number; callFrame: { functionName: string } }[];
      samples: number[];
      timeDeltas: number[];
      startTime: number;
      endTime: number;
    };
    expect(profile.nodes[0]!.callFrame.functionName).toBe("(root)");
    expect(profile.samples.length).toBeGreaterThan(10);
    expect(profile.timeDeltas.length).toBe(profile.samples.length);
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(250_000);
    expect(profile.nodes.map((n) => n.callFrame.functionName)).toContain("spinForProfilerTest");
  });

  it("refuses a second CPU profile while one runs, and takes one again afterwards", async () => {
    const first = profileProcess({ type: "cpu", durationMs: 200 });
    await expect(profileProcess({ type: "cpu", durationMs: 10 })).rejects.toThrow(
      /another CPU profile of this process is running and ends in about \ds; a process takes one at a time: wait for it to end and try again/,
    );
    // A heap profile is a picture of the moment: it does not wait for the CPU profile.
    expect(JSON.parse(await profileProcess({ type: "heap", durationMs: 0 }))).toHaveProperty("head");
    await first;
    expect(JSON.parse(await profileProcess({ type: "cpu", durationMs: 0 }))).toHaveProperty("nodes");
  });

  it("takes a heap profile of what the sampler saw since it started", async () => {
    startHeapSampling();
    const kept = Array.from({ length: 50 }, () => new Array(100_000).fill(1));
    const profile = JSON.parse(await profileProcess({ type: "heap", durationMs: 0 })) as {
      head: { children: unknown[] };
      samples: { size: number }[];
    };
    expect(profile.head.children.length).toBeGreaterThan(0);
    expect(profile.samples.reduce((s, x) => s + x.size, 0)).toBeGreaterThan(1_000_000);
    expect(kept).toHaveLength(50);
  });

  it("refuses a bad type or duration", async () => {
    await expect(profileProcess({ type: "wall" as "cpu", durationMs: 1 })).rejects.toThrow(
      'unknown profile type "wall"; ask for "cpu" or "heap"',
    );
    await expect(profileProcess({ type: "cpu", durationMs: -1 })).rejects.toThrow(
      /a CPU profile's duration must be 0 to 3600000 ms, not -1/,
    );
  });
});
