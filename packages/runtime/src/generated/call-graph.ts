/**
 * The component call graph of an app: which component may call which, from the refs `weaver
 * generate` found (Manifest.callGraph). One function turns a manifest into the graph, and
 * everything that shows or enforces it uses that: `weaver callgraph`, the status every deployer
 * serves (and so the dashboard's traffic graph), and the authorization of callers under mutual
 * TLS, where a replica serves a caller only the components its group has refs to.
 */
import { compareComponents, shortName } from "../names.js";
import type { Manifest } from "./manifest.js";

/** A component as the graph shows it. */
export interface CallGraphNode {
  /** Full name, `<package>/<Interface>`. */
  readonly name: string;
  /** Short name, `<package last segment>.<Interface>`. */
  readonly short: string;
}

/** The call graph of an app. */
export interface CallGraph {
  /** The app's name. */
  readonly app: string;
  /** The app's version hash. */
  readonly version: string;
  /** Every component, in status order: Main first, then by full name. */
  readonly components: readonly CallGraphNode[];
  /**
   * Caller → callee edges (full names), once each, sorted like the components; only between
   * components of the app, and never from a component to itself.
   */
  readonly edges: readonly (readonly [caller: string, callee: string])[];
}

/** The call graph of an app, from its manifest. */
export function callGraphOf(manifest: Manifest): CallGraph {
  const names = manifest.components.map((c) => c.name).sort(compareComponents);
  const known = new Set(names);
  const seen = new Set<string>();
  const edges: [string, string][] = [];
  for (const [caller, callee] of manifest.callGraph) {
    const key = `${caller}\n${callee}`;
    if (caller === callee || !known.has(caller) || !known.has(callee) || seen.has(key)) continue;
    seen.add(key);
    edges.push([caller, callee]);
  }
  edges.sort(([a1, b1], [a2, b2]) => compareComponents(a1, a2) || compareComponents(b1, b2));
  return {
    app: manifest.app,
    version: manifest.versionHash,
    components: names.map((name) => ({ name, short: shortName(name) })),
    edges,
  };
}

/** The components that any of `callers` may call (the callees of their edges). */
export function calleesOf(graph: CallGraph, callers: Iterable<string>): Set<string> {
  const from = new Set(callers);
  return new Set(graph.edges.filter(([caller]) => from.has(caller)).map(([, callee]) => callee));
}
