import { describe, expect, it } from "vitest";
import {
  mergeCpuProfiles,
  mergeHeapProfiles,
  type CallFrame,
  type CpuProfile,
  type HeapProfile,
  type HeapProfileNode,
} from "./profile-merge.js";

const fn = (functionName: string): CallFrame => ({
  functionName,
  scriptId: "7",
  url: "file:///app/main.js",
  lineNumber: 3,
  columnNumber: 1,
});

/** A replica's CPU profile: (root) -> main -> work, (root) -> (idle); samples at the given times. */
function cpu(startTime: number, samples: [time: number, node: number][], endTime: number): CpuProfile {
  let previous = startTime;
  return {
    nodes: [
      { id: 1, callFrame: fn("(root)"), hitCount: 0, children: [2, 4] },
      { id: 2, callFrame: fn("main"), hitCount: 1, children: [3] },
      { id: 3, callFrame: fn("work"), hitCount: 2, children: [], positionTicks: [{ line: 4, ticks: 2 }] },
      { id: 4, callFrame: fn("(idle)"), hitCount: 1, children: [] },
    ],
    startTime,
    endTime,
    samples: samples.map(([, node]) => node),
    timeDeltas: samples.map(([time]) => {
      const delta = time - previous;
      previous = time;
      return delta;
    }),
  };
}

/** Fails unless `p` is a CPU profile DevTools can load: ids unique and known, deltas matching. */
function expectValidCpu(p: CpuProfile): void {
  const ids = new Set(p.nodes.map((n) => n.id));
  expect(ids.size).toBe(p.nodes.length);
  for (const n of p.nodes) for (const c of n.children ?? []) expect(ids.has(c), `child ${c} of ${n.id}`).toBe(true);
  const children = p.nodes.flatMap((n) => n.children ?? []);
  expect(new Set(children).size, "every node has one parent").toBe(children.length);
  expect(p.nodes.filter((n) => !children.includes(n.id)).map((n) => n.callFrame.functionName)).toEqual(["(root)"]);
  expect(p.timeDeltas!.length).toBe(p.samples!.length);
  for (const s of p.samples!) expect(ids.has(s), `sample ${s}`).toBe(true);
  let t = p.startTime;
  for (const d of p.timeDeltas!) {
    expect(d).toBeGreaterThanOrEqual(0);
    t += d;
  }
  expect(t).toBeLessThanOrEqual(p.endTime);
}

const name = (p: CpuProfile, id: number): string => p.nodes.find((n) => n.id === id)!.callFrame.functionName;

describe("mergeCpuProfiles", () => {
  const a = cpu(
    1_000,
    [
      [1_010, 3],
      [1_030, 3],
      [1_050, 4],
    ],
    1_060,
  );
  const b = cpu(
    1_005,
    [
      [1_020, 2],
      [1_040, 3],
    ],
    1_100,
  );
  const merged = mergeCpuProfiles([
    { label: "weaver.Main 11111111 pid 10", profile: a },
    { label: "app.Reverser 22222222 pid 20", profile: b },
  ]);

  it("is a valid profile with a root, one labelled node per replica, and every replica's nodes", () => {
    expectValidCpu(merged);
    expect(merged.nodes).toHaveLength(1 + 4 + 4);
    const root = merged.nodes[0]!;
    expect(root).toMatchObject({ id: 1, callFrame: { functionName: "(root)" } });
    expect(root.children!.map((id) => name(merged, id))).toEqual(["weaver.Main 11111111 pid 10", "app.Reverser 22222222 pid 20"]);
    const work = merged.nodes.filter((n) => n.callFrame.functionName === "work");
    expect(work.map((n) => n.positionTicks)).toEqual([[{ line: 4, ticks: 2 }], [{ line: 4, ticks: 2 }]]);
  });

  it("merges the samples in time order over the span of all replicas", () => {
    expect(merged.startTime).toBe(1_000);
    expect(merged.endTime).toBe(1_100);
    expect(merged.timeDeltas).toEqual([10, 10, 10, 10, 10]);
    expect(merged.samples!.map((id) => name(merged, id))).toEqual(["work", "main", "work", "work", "(idle)"]);
    // Replica a's nodes are 2..5, b's 6..9.
    expect(merged.samples!.map((id) => (id <= 5 ? "a" : "b"))).toEqual(["a", "b", "a", "b", "a"]);
  });

  it("puts a replica's several roots under a labelled node, and drops samples of unknown nodes", () => {
    const odd: CpuProfile = {
      nodes: [
        { id: 5, callFrame: fn("x"), children: [] },
        { id: 6, callFrame: fn("y") },
      ],
      startTime: 0,
      endTime: 10,
      samples: [5, 99, 6],
      timeDeltas: [1, 2, 3],
    };
    const p = mergeCpuProfiles([{ label: "g 33333333 pid 30", profile: odd }]);
    expectValidCpu(p);
    expect(p.nodes.map((n) => n.callFrame.functionName)).toEqual(["(root)", "g 33333333 pid 30", "x", "y"]);
    expect(p.samples!.map((id) => name(p, id))).toEqual(["x", "y"]);
    expect(p.timeDeltas).toEqual([1, 5]);
  });

  it("handles profiles without samples", () => {
    const p = mergeCpuProfiles([{ label: "g", profile: { nodes: [{ id: 1, callFrame: fn("(root)") }], startTime: 5, endTime: 9 } }]);
    expectValidCpu(p);
    expect(p).toMatchObject({ startTime: 5, endTime: 9, samples: [], timeDeltas: [] });
  });
});

/** A replica's heap profile: (root) -> main -> alloc (1000 bytes), with two samples. */
function heap(): HeapProfile {
  const alloc: HeapProfileNode = { callFrame: fn("alloc"), selfSize: 1_000, id: 3, children: [] };
  return {
    head: { callFrame: fn("(root)"), selfSize: 0, id: 1, children: [{ callFrame: fn("main"), selfSize: 24, id: 2, children: [alloc] }] },
    samples: [
      { size: 24, nodeId: 2, ordinal: 9 },
      { size: 1_000, nodeId: 3, ordinal: 4 },
    ],
  };
}

/** Every node of a heap profile tree. */
const flatten = (n: HeapProfileNode): HeapProfileNode[] => [n, ...n.children.flatMap(flatten)];

describe("mergeHeapProfiles", () => {
  it("puts each replica's tree under a labelled node, with unique ids and remapped samples", () => {
    const p = mergeHeapProfiles([
      { label: "weaver.Main 11111111 pid 10", profile: heap() },
      { label: "app.Reverser 22222222 pid 20", profile: heap() },
    ]);
    const nodes = flatten(p.head);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    expect(p.head).toMatchObject({ id: 1, selfSize: 0, callFrame: { functionName: "(root)" } });
    expect(p.head.children.map((c) => c.callFrame.functionName)).toEqual(["weaver.Main 11111111 pid 10", "app.Reverser 22222222 pid 20"]);
    expect(nodes.reduce((sum, n) => sum + n.selfSize, 0)).toBe(2 * 1_024);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(p.samples!.map((s) => [byId.get(s.nodeId)?.callFrame.functionName, s.size, s.ordinal])).toEqual([
      ["alloc", 1_000, 1],
      ["main", 24, 2],
      ["alloc", 1_000, 3],
      ["main", 24, 4],
    ]);
  });
});
