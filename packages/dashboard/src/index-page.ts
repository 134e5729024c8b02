/** The index page: a table of the running deployments of a deployer, each linking to its page. */
import { formatAge } from "@weaver/runtime";
import type { DashboardListing } from "./dashboard-data.js";
import { card, empty, escapeHtml, page, raw, table } from "./html.js";

/** Renders the index page of a listing. */
export function renderIndexPage(listing: DashboardListing): string {
  const { deployer, now, deployments } = listing;
  const content =
    deployments.length === 0
      ? empty(`No ${deployer} deployment is running; start one with \`weaver ${deployer} deploy weaver.toml\`.`)
      : table(
          ["App", "Deployment", "Age"],
          deployments.map(({ status: s }) => [
            s.app,
            raw(`<a href="/deployment?id=${escapeHtml(encodeURIComponent(s.deployment))}"><code>${escapeHtml(s.deployment)}</code></a>`),
            formatAge(now - s.started),
          ]),
        );
  return page(`Weaver ${deployer} deployments`, card("Deployments", content));
}
