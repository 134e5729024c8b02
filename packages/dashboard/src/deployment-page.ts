/**
 * The page of one deployment: Summary (app, id, age, listeners), Components (each group's
 * replicas), Methods (per-method statistics) and Commands to copy.
 */
import { formatAge, type DeploymentStatus } from "@weaver/runtime";
import type { DashboardDeployment } from "./dashboard-data.js";
import { card, empty, escapeHtml, page, raw, table } from "./html.js";
import { renderMethodsTable } from "./methods-table.js";

/** Renders the page of a deployment of `deployer`; `now` is in ms since the epoch. */
export function renderDeploymentPage(deployer: string, deployment: DashboardDeployment, now: number): string {
  const s = deployment.status;
  const body =
    card("Summary", summary(s, now)) +
    card("Components", components(s)) +
    card("Methods", renderMethodsTable(deployment.stats)) +
    card("Commands", commands(deployer, s.deployment));
  return page(`${s.app} ${s.deployment.slice(0, 8)}`, body);
}

/** Renders the page shown for an id that names no running deployment. */
export function renderNotFoundPage(deployer: string, id: string): string {
  return page("Deployment not found", card("Deployment not found", empty(`No running ${deployer} deployment has the id "${id}".`)));
}

function summary(s: DeploymentStatus, now: number): string {
  const rows: string[][] = [
    ["App", s.app],
    ["Deployment", s.deployment],
    ["Age", formatAge(now - s.started)],
    ...[...s.listeners].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((l) => [`Listener "${l.name}"`, `→ ${l.address}`]),
  ];
  return `<table>\n<tbody>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k!)}</th><td><code>${escapeHtml(v!)}</code></td></tr>`).join("\n")}\n</tbody>\n</table>\n`;
}

function components(s: DeploymentStatus): string {
  if (s.groups.length === 0) return empty("This deployment has no component groups.");
  const short = new Map(s.components.map((c) => [c.name, c.short]));
  const rows = s.groups.map((g) => {
    const replicas = [...g.replicas].sort((a, b) => a.pid - b.pid);
    return [
      g.name,
      g.components.map((c) => short.get(c) ?? c).join(", "),
      replicas.map((r) => (r.pid > 0 ? String(r.pid) : "-")).join(", "),
      replicas.map((r) => r.state).join(", "),
      replicas.reduce((sum, r) => sum + r.restarts, 0),
    ];
  });
  return table(["Group", "Components", "Replica PIDs", "State", "Restarts"], rows, new Set([4]));
}

/** The commands that show more about a deployment, as the Go dashboard lists them. */
export function deploymentCommands(deployer: string, id: string): readonly (readonly [string, string])[] {
  const version = `'version=="${id.slice(0, 8)}"'`;
  if (deployer !== "multi") {
    return [
      ["status", `weaver ${deployer} status`],
      ["metrics", `weaver ${deployer} metrics`],
    ];
  }
  return [
    ["status", "weaver multi status"],
    ["cat logs", `weaver multi logs ${version}`],
    ["follow logs", `weaver multi logs --follow ${version}`],
    ["profile", `weaver multi profile --duration=30s ${id}`],
    ["metrics", "weaver multi metrics"],
  ];
}

function commands(deployer: string, id: string): string {
  return table(
    ["What", "Command"],
    deploymentCommands(deployer, id).map(([what, command]) => [what, raw(`<pre>${escapeHtml(command)}</pre>`)]),
  );
}
