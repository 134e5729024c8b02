/**
 * The Routing card of a deployment's page: for each routed component (one with a router), how its
 * keys are spread over its replicas. Each row is a member (a replica slot, which keeps its keys
 * across restarts): whether its replica is up, the share of the keys it owns, and the share it
 * serves now, which differs while a member is down (its keys go to the next member of each slot,
 * and come back when it returns). Shown only when the deployment routes keys.
 */
import type { DeploymentStatus, RoutingStatus } from "@weaver/runtime";
import { escapeHtml, raw, table, type Cell } from "../html.js";

/** Whether a deployment has routed components (and so a Routing card). */
export function hasRouting(s: DeploymentStatus): boolean {
  return (s.routing ?? []).length > 0;
}

/** Renders the Routing card's content. */
export function renderRouting(s: DeploymentStatus): string {
  const short = new Map(s.components.map((c) => [c.name, c.short]));
  return (s.routing ?? []).map((r) => component(r, short.get(r.component) ?? r.component)).join("");
}

/** One routed component's table, under its short name (its full name as the tooltip). */
function component(r: RoutingStatus, short: string): string {
  const up = r.members.filter((m) => m.up).length;
  const rows = r.members.map((m): Cell[] => [
    raw(`<code>${escapeHtml(m.member)}</code>`),
    m.replica === undefined ? "-" : raw(`<code>${escapeHtml(m.replica.slice(0, 8))}</code>`),
    raw(`<span class="badge ${m.up ? "good" : "bad"}">${m.up ? "up" : "down"}</span>`),
    percent(m.owned, r.slots),
    percent(m.serving, r.slots),
    raw(bar(m.serving, r.slots)),
  ]);
  return (
    `<h3 title="${escapeHtml(r.component)}">${escapeHtml(short)}</h3>\n` +
    `<p class="muted">${r.members.length} member${r.members.length === 1 ? "" : "s"}, ${up} up; ${r.slots} key slots, assignment version ${r.version}</p>\n` +
    table(["Member", "Replica", "Health", "Keys owned", "Serving now", ""], rows, new Set([3, 4]))
  );
}

function percent(slots: number, of: number): string {
  return of === 0 ? "-" : `${((100 * slots) / of).toFixed(1)}%`;
}

/** A bar as wide as the share (SVG attributes: the page's CSP allows no inline style). */
function bar(slots: number, of: number): string {
  const width = of === 0 ? 0 : (1000 * slots) / of;
  return `<svg class="bar share" viewBox="0 0 1000 14" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="1" width="${width.toFixed(1)}" height="12" rx="2"/></svg>`;
}
