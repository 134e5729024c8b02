/**
 * The Traffic card: the components as nodes and caller -> callee edges labelled with the calls
 * made since the deployment started, each edge as wide as its share of all calls. Edges of the
 * call graph (refs) that carried no call yet are drawn dashed. dagre lays the graph out left to
 * right; the card is an SVG drawn here, so the browser needs no script or library to show it.
 */
import dagre from "@dagrejs/dagre";
import type { DeploymentStats, DeploymentStatus } from "@weaver/runtime";
import { empty, escapeHtml } from "../html.js";

/** Colour classes of the nodes (c0..c9 in the stylesheet), by component order. */
const PALETTE = 10;
const NODE_HEIGHT = 46;
/** About how wide a character of a node's name and of its subtitle is, in pixels. */
const CHAR_WIDTH = 7.4;
const SUB_CHAR_WIDTH = 6.2;

interface Point {
  readonly x: number;
  readonly y: number;
}

/** Renders the graph of a deployment's components and the calls between them. */
export function renderTrafficGraph(s: DeploymentStatus, stats: DeploymentStats | null): string {
  if (s.components.length === 0) return empty("This deployment has no components.");
  const known = new Set(s.components.map((c) => c.name));
  const counts = new Map<string, { caller: string; callee: string; count: number }>();
  for (const [caller, callee] of s.callGraph ?? []) counts.set(`${caller}->${callee}`, { caller, callee, count: 0 });
  for (const e of stats?.calls ?? []) counts.set(`${e.caller}->${e.callee}`, { caller: e.caller, callee: e.callee, count: e.count });
  const edges = [...counts.values()].filter((e) => known.has(e.caller) && known.has(e.callee) && e.caller !== e.callee);
  const total = edges.reduce((sum, e) => sum + e.count, 0);

  const groupOf = new Map(s.groups.flatMap((g) => g.components.map((c) => [c, g] as const)));
  const subtitle = (name: string): string => {
    const group = groupOf.get(name);
    if (group === undefined) return "";
    const n = group.replicas.length;
    return `${n} replica${n === 1 ? "" : "s"}${group.components.length > 1 ? ` · group ${group.name}` : ""}`;
  };
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 110, edgesep: 24, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of s.components) {
    g.setNode(c.name, {
      width: Math.max(130, c.short.length * CHAR_WIDTH + 28, subtitle(c.name).length * SUB_CHAR_WIDTH + 24),
      height: NODE_HEIGHT,
    });
  }
  for (const e of edges) g.setEdge(e.caller, e.callee, { width: String(e.count).length * 8 + 14, height: 18, labelpos: "c" });
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();

  const calls = new Map<string, string[]>();
  for (const m of stats?.methods ?? [])
    (calls.get(m.component) ?? calls.set(m.component, []).get(m.component)!).push(
      `${m.method}: ${m.total.count} call${m.total.count === 1 ? "" : "s"}`,
    );
  const nodes = s.components.map((c, i) => {
    const n = g.node(c.name);
    const sub = subtitle(c.name);
    const tip = [c.name, ...(calls.get(c.name) ?? [])].join("\n");
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    return (
      `<g class="node c${i % PALETTE}" data-component="${escapeHtml(c.name)}"><title>${escapeHtml(tip)}</title>` +
      `<rect x="${x}" y="${y}" width="${n.width}" height="${n.height}" rx="7"/>` +
      `<text x="${n.x}" y="${n.y - 3}" text-anchor="middle">${escapeHtml(c.short)}</text>` +
      `<text class="sub" x="${n.x}" y="${n.y + 13}" text-anchor="middle">${escapeHtml(sub)}</text></g>`
    );
  });
  const short = new Map(s.components.map((c) => [c.name, c.short]));
  const lines = edges.map((e) => {
    const label = g.edge(e.caller, e.callee);
    const share = total === 0 ? 0 : e.count / total;
    const tip = `${short.get(e.caller)} → ${short.get(e.callee)}: ${e.count} call${e.count === 1 ? "" : "s"}${total === 0 ? "" : ` (${Math.round(share * 100)}% of all)`}`;
    const lx = label.x ?? 0;
    const ly = label.y ?? 0;
    return (
      `<g class="edge${e.count === 0 ? " idle" : ""}" data-edge="${escapeHtml(`${e.caller}->${e.callee}`)}" data-count="${e.count}"><title>${escapeHtml(tip)}</title>` +
      `<path d="${basis(label.points ?? [])}" stroke-width="${(1.5 + 6 * share).toFixed(2)}" marker-end="url(#arrow)"/>` +
      `<rect class="label" x="${lx - label.width / 2}" y="${ly - 9}" width="${label.width}" height="18" rx="4"/>` +
      `<text class="count" x="${lx}" y="${ly + 4}" text-anchor="middle">${e.count}</text></g>`
    );
  });
  const note = total === 0 ? `<p class="muted">No calls between components yet; the counts rise as requests arrive.</p>\n` : "";
  return (
    note +
    `<svg class="traffic" role="img" aria-label="Component graph with calls between components" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>` +
    `${lines.join("")}${nodes.join("")}</svg>\n`
  );
}

/** An SVG path through dagre's edge points, smoothed as a uniform B-spline (d3's curveBasis). */
function basis(points: readonly Point[]): string {
  const f = (n: number): string => String(Math.round(n * 10) / 10);
  if (points.length === 0) return "";
  if (points.length < 3) return `M${points.map((p) => `${f(p.x)},${f(p.y)}`).join("L")}`;
  const [p0, p1] = points as [Point, Point];
  let d = `M${f(p0.x)},${f(p0.y)}L${f((5 * p0.x + p1.x) / 6)},${f((5 * p0.y + p1.y) / 6)}`;
  const curve = (a: Point, b: Point, c: Point): void => {
    d += `C${f((2 * a.x + b.x) / 3)},${f((2 * a.y + b.y) / 3)} ${f((a.x + 2 * b.x) / 3)},${f((a.y + 2 * b.y) / 3)} ${f((a.x + 4 * b.x + c.x) / 6)},${f((a.y + 4 * b.y + c.y) / 6)}`;
  };
  for (let i = 2; i < points.length; i++) curve(points[i - 2]!, points[i - 1]!, points[i]!);
  const a = points[points.length - 2]!;
  const b = points[points.length - 1]!;
  curve(a, b, b);
  return `${d}L${f(b.x)},${f(b.y)}`;
}
