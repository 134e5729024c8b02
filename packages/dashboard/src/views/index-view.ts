/**
 * The index page: the running deployments of every deployer, then those that ended (their stored
 * logs and traces), most recent first; each links to its page.
 */
import { formatAge, type DeploymentStatus } from "@weaver/runtime";
import type { DashboardListing } from "../dashboard-data.js";
import { age, card, empty, escapeHtml, raw, table, type Cell } from "../html.js";
import type { View } from "./view.js";

/** The index view. */
export const indexView: View<DashboardListing> = {
  load: (ctx) => ctx.data.listing(),
  cards: (listing) => ({ deployments: deploymentsTable(listing), past: pastTable(listing) }),
  page: (listing, cards) => ({
    title: "Weaver deployments",
    deployer: listing.deployer,
    body:
      card("deployments", "Deployments", cards["deployments"]!) +
      card("past", "Past deployments", cards["past"]!, { note: "ended; their stored logs and traces, most recent first" }),
  }),
};

/** Ended deployments the index lists; the rest are counted. */
const PAST_LISTED = 20;

/** The table of ended deployments, most recent first. */
function pastTable({ deployer, now, past }: DashboardListing): string {
  if (past.length === 0) return empty("No deployment has ended yet (or their files were purged).");
  const rows: Cell[][] = past
    .slice(0, PAST_LISTED)
    .map((p) => [
      p.deployer,
      p.app,
      raw(`<a href="/deployment?id=${escapeHtml(encodeURIComponent(p.deployment))}"><code>${escapeHtml(p.deployment)}</code></a>`),
      raw(`${age(p.lastWrite, now).html} ago`),
      raw(`<span class="badge">ended</span> ran ${escapeHtml(formatAge(Math.max(0, p.lastWrite - p.started)))}`),
    ]);
  const more =
    past.length > PAST_LISTED
      ? `<p class="muted">${past.length - PAST_LISTED} older not shown; <code>weaver ${escapeHtml(deployer)} purge</code> deletes stored files.</p>\n`
      : "";
  return table(["Deployer", "App", "Deployment", "Ended", "Status"], rows) + more;
}

/** The table of deployments, or how to start one. */
function deploymentsTable(listing: DashboardListing): string {
  const { deployer, now, deployments, unreachable } = listing;
  if (deployments.length === 0 && unreachable.length === 0) {
    return empty(`No deployment is running; start one with \`weaver ${deployer} deploy weaver.toml\`.`);
  }
  const rows: Cell[][] = deployments.map(({ status: s, registration }) => [
    registration.deployer,
    s.app,
    raw(`<a href="/deployment?id=${escapeHtml(encodeURIComponent(s.deployment))}"><code>${escapeHtml(s.deployment)}</code></a>`),
    age(s.started, now),
    raw(health(s)),
  ]);
  for (const { registration: r, reason } of unreachable) {
    rows.push([
      r.deployer,
      r.app,
      raw(`<code>${escapeHtml(r.deployment)}</code>`),
      age(r.started, now),
      raw(`<span class="badge bad">unreachable</span> ${escapeHtml(reason)}`),
    ]);
  }
  return table(["Deployer", "App", "Deployment", "Age", "Status"], rows);
}

/** "running: 6 of 6 replicas ready", or which replicas are not. */
function health(s: DeploymentStatus): string {
  const replicas = s.groups.flatMap((g) => g.replicas);
  const ready = replicas.filter((r) => r.state === "ready").length;
  const cls = ready === replicas.length ? "good" : ready === 0 ? "bad" : "warn";
  return `<span class="badge ${cls}">running</span> ${ready} of ${replicas.length} replica${replicas.length === 1 ? "" : "s"} ready`;
}
