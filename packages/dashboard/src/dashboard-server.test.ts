import type { DeploymentStatus } from "@weaver/runtime";
import { afterEach, describe, expect, it } from "vitest";
import type { DashboardListing } from "./dashboard-data.js";
import { startDashboard, type Dashboard } from "./dashboard-server.js";

const ID = "0123abcd-0000-4000-8000-000000000000";
const status = { app: "hello", deployment: ID, started: 0, pid: 1, configFile: "", config: {}, groups: [], components: [], listeners: [] } as DeploymentStatus;
const listing: DashboardListing = { deployer: "multi", now: 1_000, deployments: [{ status, stats: null }] };

let dashboard: Dashboard | undefined;
afterEach(async () => {
  await dashboard?.close();
  dashboard = undefined;
});

describe("startDashboard", () => {
  it("listens on 127.0.0.1 and serves the pages and their data", async () => {
    dashboard = await startDashboard({ gather: async () => listing });
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await fetch(`${dashboard.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await index.text()).toContain(`/deployment?id=${ID}`);
    expect(await (await fetch(`${dashboard.url}/api/deployments`)).json()).toEqual(listing);
    expect(await (await fetch(`${dashboard.url}/api/deployment?id=0123`)).json()).toEqual({ status, stats: null });
    expect(await (await fetch(`${dashboard.url}/deployment?id=0123abcd`)).text()).toContain("<h2>Methods</h2>");
  });

  it("answers 404 for an unknown deployment or path, and 405 for other methods", async () => {
    dashboard = await startDashboard({ gather: async () => listing });
    expect((await fetch(`${dashboard.url}/deployment?id=ffff`)).status).toBe(404);
    expect((await fetch(`${dashboard.url}/api/deployment`)).status).toBe(404);
    expect((await fetch(`${dashboard.url}/nope`)).status).toBe(404);
    expect((await fetch(`${dashboard.url}/`, { method: "POST" })).status).toBe(405);
  });

  it("answers 500 with the reason when the data cannot be gathered", async () => {
    dashboard = await startDashboard({ gather: () => Promise.reject(new Error("registry unreadable")) });
    const res = await fetch(`${dashboard.url}/`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("registry unreadable");
  });
});
