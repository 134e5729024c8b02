/**
 * The three tables of `weaver <deployer> status`, laid out as Service Weaver prints them
 * (weaver-behaviours.md §2.7):
 *
 *   DEPLOYMENTS  APP, DEPLOYMENT (full id), AGE
 *   COMPONENTS   APP, DEPLOYMENT (8 characters), COMPONENT (short name), REPLICA PIDS
 *   LISTENERS    APP, DEPLOYMENT (8 characters), LISTENER, ADDRESS
 *
 * Deployments are sorted by app, then by start time; components keep the order of the status
 * (Main first, then by full name); listeners are sorted by name.
 *
 * When a deployment has routed components, a fourth table follows (ours, not Service Weaver's):
 *
 *   ROUTING      APP, DEPLOYMENT, COMPONENT, MEMBER (the replica slot), REPLICA PID, KEYS (the
 *                slot's share of the keys), SERVING (the share it serves now: more while another
 *                member is down, none while it is down itself)
 *
 * When a deployer splits traffic between versions of an app (the multi manager), TRAFFIC follows
 * (HOST, LISTENER, APP, DEPLOYMENT, TRAFFIC FRACTION), and for an app that had a rollout,
 * ROLLOUT OF <app>: one row per step (TIME, the share of each version, STEP: done, now or next,
 * next rows at the earliest time they can begin), then the reason when it was rolled back.
 */
import { formatAge, renderTable } from "../output/table.js";
import type { DeploymentStatus, ReplicaStatus } from "../deployments/deployment-status.js";

/** Replica states whose pid names a process that exists (restarting and stopped ones have exited). */
const LIVE_STATES: ReadonlySet<ReplicaStatus["state"]> = new Set(["starting", "ready", "unhealthy"]);

/** Sorts statuses as the tables list them: by app, then by start time. */
export function sortStatuses(statuses: readonly DeploymentStatus[]): DeploymentStatus[] {
  return [...statuses].sort((a, b) => (a.app === b.app ? a.started - b.started : a.app < b.app ? -1 : 1));
}

/** Renders the DEPLOYMENTS, COMPONENTS and LISTENERS tables; `now` is in ms since the epoch. */
export function formatStatusTables(statuses: readonly DeploymentStatus[], now: number, color = false): string {
  const sorted = sortStatuses(statuses);
  const deployments = sorted.map((s) => [s.app, s.deployment, formatAge(now - s.started)]);
  const components = sorted.flatMap((s) =>
    s.components.map((c) => [s.app, s.deployment.slice(0, 8), c.short, replicaPids(s, c.name, c.group).join(", ")]),
  );
  const listeners = sorted.flatMap((s) =>
    [...s.listeners]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((l) => [s.app, s.deployment.slice(0, 8), l.name, l.address]),
  );
  return (
    renderTable("DEPLOYMENTS", ["APP", "DEPLOYMENT", "AGE"], deployments, color) +
    renderTable("COMPONENTS", ["APP", "DEPLOYMENT", "COMPONENT", "REPLICA PIDS"], components, color) +
    renderTable("LISTENERS", ["APP", "DEPLOYMENT", "LISTENER", "ADDRESS"], listeners, color) +
    routingTable(sorted, color) +
    trafficTables(sorted, color)
  );
}

/** The ROUTING table, or nothing when no deployment routes keys. */
function routingTable(sorted: readonly DeploymentStatus[], color: boolean): string {
  const rows = sorted.flatMap((s) =>
    (s.routing ?? []).flatMap((r) => {
      const short = s.components.find((c) => c.name === r.component)?.short ?? r.component;
      const pids = new Map(s.groups.flatMap((g) => g.replicas.map((x) => [x.id, x.pid] as const)));
      return r.members.map((m) => {
        const pid = m.replica === undefined ? undefined : pids.get(m.replica);
        return [
          s.app,
          s.deployment.slice(0, 8),
          short,
          m.member,
          m.up && pid !== undefined && pid > 0 ? String(pid) : "down",
          share(m.owned, r.slots),
          share(m.serving, r.slots),
        ];
      });
    }),
  );
  if (rows.length === 0) return "";
  return renderTable("ROUTING", ["APP", "DEPLOYMENT", "COMPONENT", "MEMBER", "REPLICA PID", "KEYS", "SERVING"], rows, color);
}

/** The TRAFFIC table and a ROLLOUT OF table per app that had a rollout, or nothing. */
function trafficTables(sorted: readonly DeploymentStatus[], color: boolean): string {
  // Every version of an app reports the app's traffic: show each row once.
  const seen = new Set<string>();
  const rows: string[][] = [];
  const rollouts = new Map<string, NonNullable<DeploymentStatus["rollout"]>>();
  for (const s of sorted) {
    for (const t of s.traffic ?? []) {
      const key = `${t.host}\0${t.deployment}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push([t.host, t.listener, s.app, t.deployment.slice(0, 8), t.fraction.toFixed(2)]);
    }
    if (s.rollout !== undefined) rollouts.set(s.app, s.rollout);
  }
  if (rows.length === 0) return "";
  let out = renderTable("TRAFFIC", ["HOST", "LISTENER", "APP", "DEPLOYMENT", "TRAFFIC FRACTION"], rows, color);
  for (const [app, r] of rollouts) {
    const current = r.state === "rolling" ? r.steps.filter((x) => !x.planned).length - 1 : -1;
    const steps = r.steps.map((x, i) => [
      stepTime(x.at),
      (1 - x.fraction).toFixed(2),
      x.fraction.toFixed(2),
      x.planned ? "next" : i === current ? "now" : "done",
    ]);
    out += renderTable(`ROLLOUT OF ${app} (${r.state})`, ["TIME", r.from.slice(0, 8), r.to.slice(0, 8), "STEP"], steps, color);
    if (r.reason !== undefined) out += `${app}: ${r.reason}\n`;
  }
  return out;
}

/** A time as Service Weaver's rollout table shows it: `Oct  3 22:37:59`, local time. */
function stepTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString("en-US", { month: "short" });
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${month} ${String(d.getDate()).padStart(2, " ")} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A share of the key slots, as a percentage with one decimal. */
function share(slots: number, of: number): string {
  return of === 0 ? "-" : `${((100 * slots) / of).toFixed(1)}%`;
}

/** The pids of the live replicas of the group that runs a component, ascending. */
function replicaPids(status: DeploymentStatus, component: string, group: string): number[] {
  const owner = status.groups.find((g) => g.name === group) ?? status.groups.find((g) => g.components.includes(component));
  return (owner?.replicas ?? [])
    .filter((r) => LIVE_STATES.has(r.state) && r.pid > 0)
    .map((r) => r.pid)
    .sort((a, b) => a - b);
}
