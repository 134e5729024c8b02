import type { DeploymentStats, DeploymentStatus } from "@weaver/runtime";
import { describe, expect, it } from "vitest";
import type { DashboardListing } from "./dashboard-data.js";
import { deploymentCommands, renderDeploymentPage } from "./deployment-page.js";
import { escapeHtml } from "./html.js";
import { renderIndexPage } from "./index-page.js";

const ID = "0123abcd-0000-4000-8000-000000000000";
const NOW = 1_700_000_000_000;

function status(app = "reverser"): DeploymentStatus {
  return {
    app,
    deployment: ID,
    started: NOW - 75_000,
    pid: 10,
    configFile: "weaver.toml",
    config: {},
    groups: [
      { name: "main", components: ["weaver/Main"], replicas: [{ id: "a", pid: 12, state: "ready", started: NOW, restarts: 0 }, { id: "b", pid: 11, state: "ready", started: NOW, restarts: 1 }] },
    ],
    components: [{ name: "weaver/Main", short: "main", group: "main" }],
    listeners: [{ name: "lis", address: "127.0.0.1:4000" }],
  };
}

const window = (count: number) => ({ count, errors: 0, latencyMs: 0.25, requestKBps: 1.5, replyKBps: 2 });
const stats: DeploymentStats = {
  started: NOW - 75_000,
  updated: NOW,
  methods: [{ component: "reverser/Reverser", method: "reverse", minute: window(3), hour: window(4), total: window(5) }],
  calls: [],
};

describe("escapeHtml", () => {
  it("escapes the five HTML special characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});

describe("renderIndexPage", () => {
  it("says how to start a deployment when none runs", () => {
    const html = renderIndexPage({ deployer: "multi", now: NOW, deployments: [] });
    expect(html).toContain("No multi deployment is running; start one with `weaver multi deploy weaver.toml`.");
    expect(html).not.toContain("<table>");
  });

  it("lists each deployment with its app, a link to its page and its age", () => {
    const listing: DashboardListing = { deployer: "multi", now: NOW, deployments: [{ status: status(), stats }] };
    const html = renderIndexPage(listing);
    expect(html).toContain(`<td>reverser</td>`);
    expect(html).toContain(`<a href="/deployment?id=${ID}"><code>${ID}</code></a>`);
    expect(html).toContain("<td>1m15s</td>");
  });

  it("escapes every value and loads nothing from elsewhere", () => {
    const html = renderIndexPage({ deployer: "multi", now: NOW, deployments: [{ status: status(`<script>alert("x")</script>`), stats }] });
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe("renderDeploymentPage", () => {
  it("shows the summary, components, methods and commands", () => {
    const html = renderDeploymentPage("multi", { status: status(), stats }, NOW);
    for (const title of ["Summary", "Components", "Methods", "Commands"]) expect(html).toContain(`<h2>${title}</h2>`);
    expect(html).toContain("<th>Listener &quot;lis&quot;</th><td><code>→ 127.0.0.1:4000</code></td>");
    expect(html).toContain("<td>main</td><td>main</td><td>11, 12</td><td>ready, ready</td><td class=\"num\">1</td>");
    expect(html).toContain(`<td><code>reverser/Reverser</code></td><td><code>reverse</code></td><td class="num">3</td><td class="num">4</td><td class="num">5</td>`);
    expect(html).toContain(`<td class="num">0.2500</td>`);
    expect(html).toContain(`<pre>weaver multi logs &#39;version==&quot;0123abcd&quot;&#39;</pre>`);
  });

  it("says so when no method was called or the statistics are missing", () => {
    expect(renderDeploymentPage("multi", { status: status(), stats: { ...stats, methods: [] } }, NOW)).toContain("No method has been called yet.");
    expect(renderDeploymentPage("multi", { status: status(), stats: null }, NOW)).toContain("could not be read");
  });
});

describe("deploymentCommands", () => {
  it("lists Service Weaver's commands for a multi deployment", () => {
    expect(deploymentCommands("multi", ID).map(([, c]) => c)).toEqual([
      "weaver multi status",
      `weaver multi logs 'version=="0123abcd"'`,
      `weaver multi logs --follow 'version=="0123abcd"'`,
      `weaver multi profile --duration=30s ${ID}`,
      "weaver multi metrics",
    ]);
  });
});
