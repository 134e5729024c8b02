/**
 * The page of one deployment: Summary (app, id, age, listeners), Components (each group's
 * replicas: pid, health, restarts, uptime), Routing (when components have routers: how their keys
 * are spread over replicas), Traffic (the component graph with the calls on its
 * edges), Methods (per-method statistics), Config and the Commands that show more.
 */
import type { DeploymentStats, DeploymentStatus, RunningDeployment } from "@weaver/runtime";
import { age, card, copyable, empty, escapeHtml, raw, table, type Cell } from "../html.js";
import { renderConfig } from "./config-card.js";
import { renderMethodsTable } from "./methods-table.js";
import { hasRouting, renderRouting } from "./routing-card.js";
import { renderTrafficGraph } from "./traffic-graph.js";
import { hasVersions, renderVersions } from "./versions-card.js";
import { isMissing, pageDeployment, type View } from "./view.js";

/** What the deployment page shows. */
export interface DeploymentData {
  readonly deployment: RunningDeployment;
  /** Its statistics, or why they could not be read. */
  readonly stats: DeploymentStats | { readonly error: string };
  readonly now: number;
}

/** The deployment view. */
export const deploymentView: View<DeploymentData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    const stats = await ctx.data.stats(deployment).catch((e: unknown) => ({ error: (e as Error).message }));
    return { deployment, stats, now: Date.now() };
  },
  cards: ({ deployment: { status: s, registration }, stats, now }) => {
    const ok = "error" in stats ? null : stats;
    return {
      summary: summary(s, now, registration.deployer),
      components: components(s, now),
      traffic: renderTrafficGraph(s, ok),
      methods: ok === null ? empty(`The statistics could not be read: ${(stats as { error: string }).error}`) : renderMethodsTable(ok),
      ...(hasRouting(s) ? { routing: renderRouting(s) } : {}),
      ...(hasVersions(s) ? { versions: renderVersions(s) } : {}),
    };
  },
  page: ({ deployment: { status: s, registration } }, cards) => ({
    title: `${s.app} ${s.deployment.slice(0, 8)}`,
    deployer: registration.deployer,
    tabs: { id: s.deployment, app: s.app, active: "/deployment" },
    body:
      card("summary", "Summary", cards["summary"]!) +
      card("components", "Components", cards["components"]!) +
      (cards["versions"] === undefined
        ? ""
        : card("versions", "Versions", cards["versions"], { note: "the app's versions and their share of each listener's traffic" })) +
      (cards["routing"] === undefined
        ? ""
        : card("routing", "Routing", cards["routing"], { note: "how each routed component's keys are spread over its replicas" })) +
      card("traffic", "Traffic", cards["traffic"]!, { note: "calls between components since the deployment started" }) +
      card("methods", "Methods", cards["methods"]!) +
      card("config", "Config", renderConfig(s.config, s.configFile), { collapsed: true }) +
      card("commands", "Commands", commands(registration.deployer, s.deployment)),
  }),
};

function summary(s: DeploymentStatus, now: number, deployer: string): string {
  const rows: [string, Cell][] = [
    ["App", s.app],
    ["Deployment", raw(`<code>${escapeHtml(s.deployment)}</code>`)],
    ["Age", age(s.started, now)],
    // A single-process deployment is its own deployer.
    [deployer === "single" ? "Process pid" : "Deployer pid", s.pid],
    ...[...s.listeners]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((l): [string, Cell] => [
        `Listener "${l.name}"`,
        raw(`→ <a class="listener" href="http://${escapeHtml(l.address)}/"><code>${escapeHtml(l.address)}</code></a>`),
      ]),
  ];
  const body = rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${typeof v === "object" ? v.html : escapeHtml(String(v))}</td></tr>`)
    .join("\n");
  return `<table class="summary">\n<tbody>\n${body}\n</tbody>\n</table>\n`;
}

const HEALTH: Readonly<Record<string, string>> = { ready: "good", starting: "warn", restarting: "warn", unhealthy: "bad", stopped: "bad" };

function components(s: DeploymentStatus, now: number): string {
  if (s.groups.length === 0) return empty("This deployment has no component groups.");
  const short = new Map(s.components.map((c) => [c.name, c.short]));
  const replicas = s.groups.flatMap((g) => g.replicas);
  const ready = replicas.filter((r) => r.state === "ready").length;
  const rows = s.groups.flatMap((g) =>
    [...g.replicas]
      .sort((a, b) => a.pid - b.pid)
      .map((r, i) => {
        // A colocated group lists its components under its name.
        const members = g.components.map((c) => short.get(c) ?? c);
        const list =
          members.length === 1 && members[0] === g.name ? "" : `<br><span class="muted">${members.map(escapeHtml).join(", ")}</span>`;
        const group = i > 0 ? "" : `<td rowspan="${g.replicas.length}" class="group"><strong>${escapeHtml(g.name)}</strong>${list}</td>`;
        return (
          `<tr data-group="${escapeHtml(g.name)}" data-replica="${escapeHtml(r.id)}">${group}` +
          `<td><code>${escapeHtml(r.id.slice(0, 8))}</code></td><td class="num">${r.pid > 0 ? r.pid : "-"}</td>` +
          `<td><span class="badge ${HEALTH[r.state] ?? "warn"}">${escapeHtml(r.state)}</span></td>` +
          `<td class="num">${r.restarts}</td><td class="num">${r.state === "ready" ? age(r.started, now).html : "-"}</td></tr>`
        );
      }),
  );
  return (
    `<p class="muted">${s.groups.length} group${s.groups.length === 1 ? "" : "s"}, ${replicas.length} replica${replicas.length === 1 ? "" : "s"}, ${ready} ready</p>\n` +
    `<table class="components">\n<thead><tr><th>Group</th><th>Replica</th><th class="num">PID</th><th>Health</th><th class="num">Restarts</th><th class="num">Uptime</th></tr></thead>\n` +
    `<tbody>\n${rows.join("\n")}\n</tbody>\n</table>\n`
  );
}

/** The commands that show more about a deployment of `deployer`, as the Go dashboard lists them. */
export function deploymentCommands(deployer: string, id: string): readonly (readonly [string, string])[] {
  const version = `'version=="${id.slice(0, 8)}"'`;
  return [
    ["status", `weaver ${deployer} status`],
    ["cat logs", `weaver ${deployer} logs ${version}`],
    ["follow logs", `weaver ${deployer} logs --follow ${version}`],
    ["profile", `weaver ${deployer} profile --duration=30s ${id}`],
    ["metrics", `weaver ${deployer} metrics`],
  ];
}

function commands(deployer: string, id: string): string {
  return table(
    ["What", "Command"],
    deploymentCommands(deployer, id).map(([what, command]) => [what, copyable(command)]),
  );
}
