/**
 * Merging the V8 profiles of several replicas into one file that Chrome DevTools and VS Code open.
 *
 * Each replica's profile becomes a subtree of a new "(root)": its own root node is renamed after
 * the replica (`<group> <replica id, 8 chars> pid <pid>`), so the tree and bottom-up views show
 * the whole deployment, and expanding the top level splits it by replica. Node ids are renumbered
 * (1 is the new root, then each replica's nodes in turn), so ids stay unique.
 *
 * A CPU profile's samples are merged in time order: V8 stamps them with the machine's monotonic
 * clock (CLOCK_MONOTONIC on Linux, mach_absolute_time on macOS), which all processes share, so
 * replicas profiled together line up on one timeline, and the merged timeDeltas are never
 * negative. A heap profile's samples keep their replica's order and get new ordinals.
 */

/** Where a profile node's code is, as V8 reports it. */
export interface CallFrame {
  readonly functionName: string;
  readonly scriptId: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

/** A node of a V8 CPU profile (CDP Profiler.ProfileNode). */
export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
  readonly parent?: number;
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
  readonly deoptReason?: string;
}

/** A V8 CPU profile, the content of a .cpuprofile file (times in microseconds). */
export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  /** The node id of each sample. */
  readonly samples?: readonly number[];
  /** Each sample's time after the previous one (the first: after startTime). */
  readonly timeDeltas?: readonly number[];
}

/** A node of a V8 sampling heap profile (CDP HeapProfiler.SamplingHeapProfileNode). */
export interface HeapProfileNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly id: number;
  readonly children: readonly HeapProfileNode[];
}

/** A V8 sampling heap profile, the content of a .heapprofile file. */
export interface HeapProfile {
  readonly head: HeapProfileNode;
  readonly samples?: readonly { readonly size: number; readonly nodeId: number; readonly ordinal: number }[];
}

/** One replica's profile and the name its subtree gets. */
export interface ProfilePart<P> {
  readonly label: string;
  readonly profile: P;
}

/** A call frame that points at no code, for the root and the replicas' nodes. */
function frame(functionName: string): CallFrame {
  return { functionName, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
}

/** Merges replicas' CPU profiles into one, with a subtree per replica and samples in time order. */
export function mergeCpuProfiles(parts: readonly ProfilePart<CpuProfile>[]): CpuProfile {
  const root = { id: 1, callFrame: frame("(root)"), hitCount: 0, children: [] as number[] };
  const nodes: CpuProfileNode[] = [root];
  const events: { time: number; node: number }[] = [];
  let next = 2;
  let startTime = Infinity;
  let endTime = -Infinity;
  for (const { label, profile } of parts) {
    const ids = new Map<number, number>();
    for (const node of profile.nodes) ids.set(node.id, next++);
    const remap = (list: readonly number[] | undefined): number[] => (list ?? []).flatMap((id) => ids.get(id) ?? []);
    const referenced = new Set(profile.nodes.flatMap((n) => n.children ?? []));
    const roots = profile.nodes.filter((n) => !referenced.has(n.id));
    // The replica's own "(root)" becomes its labelled node; anything else gets a labelled parent.
    const own = roots.length === 1 && roots[0]?.callFrame.functionName === "(root)" ? roots[0] : undefined;
    if (own === undefined) {
      const id = next++;
      nodes.push({ id, callFrame: frame(label), hitCount: 0, children: remap(roots.map((n) => n.id)) });
      root.children.push(id);
    } else {
      root.children.push(ids.get(own.id) as number);
    }
    for (const { parent, ...node } of profile.nodes) {
      const parentId = parent === undefined ? undefined : ids.get(parent);
      nodes.push({
        ...node,
        id: ids.get(node.id) as number,
        children: remap(node.children),
        ...(parentId === undefined ? {} : { parent: parentId }),
        ...(node.id === own?.id ? { callFrame: frame(label) } : {}),
      });
    }
    startTime = Math.min(startTime, profile.startTime);
    endTime = Math.max(endTime, profile.endTime);
    let time = profile.startTime;
    const samples = profile.samples ?? [];
    samples.forEach((sample, i) => {
      time += profile.timeDeltas?.[i] ?? 0;
      const node = ids.get(sample);
      if (node !== undefined) events.push({ time, node });
    });
  }
  // Array.prototype.sort is stable: samples of the same microsecond keep their replica's order.
  events.sort((a, b) => a.time - b.time);
  if (!Number.isFinite(startTime)) startTime = endTime = 0;
  startTime = Math.min(startTime, events[0]?.time ?? startTime);
  endTime = Math.max(endTime, events[events.length - 1]?.time ?? endTime);
  let previous = startTime;
  const timeDeltas = events.map((e) => {
    const delta = e.time - previous;
    previous = e.time;
    return delta;
  });
  return { nodes, startTime, endTime, samples: events.map((e) => e.node), timeDeltas };
}

/** Merges replicas' sampling heap profiles into one, with a subtree per replica. */
export function mergeHeapProfiles(parts: readonly ProfilePart<HeapProfile>[]): HeapProfile {
  let next = 2;
  const children: HeapProfileNode[] = [];
  const samples: { size: number; nodeId: number; ordinal: number }[] = [];
  for (const { label, profile } of parts) {
    const ids = new Map<number, number>();
    const copy = (node: HeapProfileNode): HeapProfileNode => {
      const id = next++;
      ids.set(node.id, id);
      return { callFrame: node.callFrame, selfSize: node.selfSize, id, children: node.children.map(copy) };
    };
    const head = copy(profile.head);
    children.push({ ...head, callFrame: frame(label) });
    const own = [...(profile.samples ?? [])].sort((a, b) => a.ordinal - b.ordinal);
    for (const s of own) {
      const nodeId = ids.get(s.nodeId);
      if (nodeId !== undefined) samples.push({ size: s.size, nodeId, ordinal: samples.length + 1 });
    }
  }
  return { head: { callFrame: frame("(root)"), selfSize: 0, id: 1, children }, samples };
}
