/** The index page: the running deployments of every deployer, each linking to its page. */
import type { DeploymentStatus } from "@weaver/runtime";
import type { DashboardListing } from "../dashboard-data.js";
import { age, card, empty, escapeHtml, raw, table, type Cell } from "../html.js";
import type { View } from "./view.js";

/** The index view. */
export const indexView: View<DashboardListing> = {
  load: (ctx) => ctx.data.listing(),
  cards: (listing) => ({ deployments: deploymentsTable(listing) }),
  page: (listing, cards) => ({
    title: "Weaver deployments",
    deployer: listing.deployer,
    body: card("deployments", "Deployments", cards["deployments"]!),
  }),
};

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
