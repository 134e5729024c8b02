// A dashboard that requires its token (beyond loopback, or WEAVER_DASHBOARD_TOKEN=1): the printed
// link lets a browser in once and leaves a cookie; anything else is refused, pages and live updates.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dashboard } from "@weaver/runtime/tool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { DASHBOARD_TOKEN_ENV } from "./access-token.js";
import { startDashboard } from "./dashboard-server.js";

const data = mkdtempSync(join(tmpdir(), "weaver-dashboard-token-"));
const saved = { xdg: process.env["XDG_DATA_HOME"], token: process.env[DASHBOARD_TOKEN_ENV] };
let dashboard: Dashboard;

beforeAll(async () => {
  process.env["XDG_DATA_HOME"] = data;
  process.env[DASHBOARD_TOKEN_ENV] = "1";
  dashboard = await startDashboard({ deployer: "multi" });
});
afterAll(async () => {
  await dashboard.close();
  for (const [key, value] of [
    ["XDG_DATA_HOME", saved.xdg],
    [DASHBOARD_TOKEN_ENV, saved.token],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(data, { recursive: true, force: true });
});

/** Whether a live connection to the index opens, with these headers. */
function liveOpens(headers: Record<string, string>): Promise<boolean> {
  const ws = new WebSocket(`${dashboard.url.replace("http", "ws")}/live/`, { headers });
  return new Promise((resolve) => {
    ws.once("open", () => {
      ws.close();
      resolve(true);
    });
    ws.once("error", () => resolve(false));
  });
}

describe("a dashboard that requires its token", () => {
  it("prints a link with the token, which sets a cookie and redirects to the page without it", async () => {
    const link = dashboard.link as string;
    expect(link).toMatch(new RegExp(`^${dashboard.url}/\\?token=[A-Za-z0-9_-]{32}$`));
    const first = await fetch(link, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/");
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^weaver_dashboard=[A-Za-z0-9_-]{32}; HttpOnly; SameSite=Strict; Path=\/$/);
    const jar = cookie.split(";")[0] as string;
    const page = await fetch(`${dashboard.url}/`, { headers: { cookie: jar } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Deployments");
    expect((await fetch(`${dashboard.url}/api/deployments`, { headers: { cookie: jar } })).status).toBe(200);
    expect(await liveOpens({ cookie: jar })).toBe(true);
  });

  it("refuses pages, JSON and live updates without it, or with a wrong one", async () => {
    for (const path of ["/", "/api/deployments", "/assets/dashboard.css", "/?token=wrong"]) {
      const res = await fetch(`${dashboard.url}${path}`, { redirect: "manual" });
      expect([path, res.status]).toEqual([path, 401]);
      expect(await res.text()).toContain("the dashboard requires its token");
    }
    expect((await fetch(`${dashboard.url}/`, { headers: { cookie: "weaver_dashboard=wrong" } })).status).toBe(401);
    expect(await liveOpens({})).toBe(false);
    expect(await liveOpens({ cookie: "weaver_dashboard=wrong" })).toBe(false);
  });
});
