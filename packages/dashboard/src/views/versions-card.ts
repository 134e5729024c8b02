/**
 * The Versions card of a deployment's page, for a deployer that splits an app's traffic between
 * its versions (the multi manager): each listener's versions and their shares, and the app's
 * latest rollout (its state, the share of the new version now, and why it was rolled back). The
 * page's live updates keep it current while a rollout moves. Shown only when there is a split.
 */
import type { DeploymentStatus } from "@weaver/runtime";
import { escapeHtml, raw, table, type Cell } from "../html.js";

/** Whether a deployment reports a traffic split (and so a Versions card). */
export function hasVersions(s: DeploymentStatus): boolean {
  return (s.traffic ?? []).length > 0;
}

/** Renders the Versions card's content. */
export function renderVersions(s: DeploymentStatus): string {
  const rows = (s.traffic ?? []).map((t): Cell[] => [
    raw(`<code>${escapeHtml(t.host)}</code>`),
    t.listener,
    raw(`<code>${escapeHtml(t.deployment.slice(0, 8))}</code>${t.deployment === s.deployment ? " (this one)" : ""}`),
    `${(100 * t.fraction).toFixed(0)}%`,
    raw(bar(t.fraction)),
  ]);
  return table(["Address", "Listener", "Version", "Traffic", ""], rows, new Set([3])) + rollout(s);
}

/** A line on the app's latest rollout, or nothing. */
function rollout(s: DeploymentStatus): string {
  const r = s.rollout;
  if (r === undefined) return "";
  const now = r.steps.filter((x) => !x.planned).at(-1)?.fraction ?? 0;
  const what = `Rollout from <code>${escapeHtml(r.from.slice(0, 8))}</code> to <code>${escapeHtml(r.to.slice(0, 8))}</code>`;
  if (r.state === "rolled back") return `<p><span class="badge bad">rolled back</span> ${what}: ${escapeHtml(r.reason ?? "")}</p>\n`;
  const state = r.state === "done" ? `<span class="badge good">done</span>` : `<span class="badge">rolling</span>`;
  return `<p>${state} ${what}: ${(100 * now).toFixed(0)}% on the new version, step ${r.steps.filter((x) => !x.planned).length} of ${r.steps.length}</p>\n`;
}

/** A bar as wide as the share (SVG attributes: the page's CSP allows no inline style). */
function bar(fraction: number): string {
  return `<svg class="bar share" viewBox="0 0 1000 14" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="1" width="${(1000 * fraction).toFixed(1)}" height="12" rx="2"/></svg>`;
}
