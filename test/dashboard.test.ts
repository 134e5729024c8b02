// The dashboard in a real browser (headless Chromium), against the reverser example deployed with
// `weaver multi deploy` and with `weaver single deploy`: the index lists the deployment, its page
// shows the groups and replicas, the traffic graph's counts rise as requests arrive (without a
// reload), a log line the app writes appears live, a trace opens as a waterfall, the metrics
// filter, all-zero metric rows hide behind a toggle; once the deployment is stopped, the index
// lists it under Past deployments and its page shows its stored logs and traces. Screenshots of
// every page go to test-artifacts/.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentStatus } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "./support/browser.js";
import { registration, settled } from "./support/deployments.js";
import { ROOT, TestProcess, stopAll } from "./support/process.js";

const BIN = "packages/cli/bin/weaver.js";
const data = mkdtempSync(join(tmpdir(), "weaver-dashboard-"));
// Debug level, so that the Reverser's "reversing" entries are written on every call.
const env = { XDG_DATA_HOME: data, WEAVER_LOG_LEVEL: "debug" };
let browser: TestBrowser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await stopAll();
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** How long the page may take to show what is expected: live updates come every second, slower on a loaded machine. */
const EVENTUALLY = { timeout: 20_000, interval: 100 };

const MAIN_TO_REVERSER = `[data-edge="weaver/Main->reverser/Reverser"]`;
const MAIN_TO_CONVERTER = `[data-edge="weaver/Main->reverser/Converter"]`;

/** Deploys the reverser example with `weaver <deployer> deploy` on a free port; returns its process, id, listener and status. */
async function deploy(deployer: "multi" | "single"): Promise<{ app: TestProcess; id: string; listener: string; status: DeploymentStatus }> {
  const file = join(data, `${deployer}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[${deployer}]\nlisteners.lis = {address = "127.0.0.1:0"}\n`,
  );
  const app = new TestProcess(process.execPath, [BIN, deployer, "deploy", file], { env });
  const [, id] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
  const { status: statusUrl } = await registration(data, id!, deployer);
  const status = await settled(statusUrl);
  return { app, id: id!, listener: status.listeners.find((l) => l.name === "lis")!.address, status };
}

/** Sends requests to the listener; each /both calls Reverser and Converter once. */
async function send(listener: string, path: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) expect((await fetch(`http://${listener}${path}`)).status).toBe(200);
}

/** Reads an edge's call count off the graph in the page. */
async function edgeCount(selector: string): Promise<number> {
  return Number(await browser!.page.locator(selector).getAttribute("data-count"));
}

/** Everything a user checks on the dashboard of one deployment. */
async function checkDashboard(deployer: "multi" | "single", groups: number, replicasPerGroup: number): Promise<void> {
  const { app, id, listener, status } = await deploy(deployer);
  // As the README says to run it (npx passes Ctrl-C on and then ends by the same signal).
  const dashboard = new TestProcess("npx", ["weaver", deployer, "dashboard"], { env });
  const [, url] = await dashboard.waitFor(/^Dashboard available at: (http:\/\/127\.0\.0\.1:\d+)$/m);
  expect(dashboard.stderr).toBe(`Dashboard available at: ${url}\n`);
  browser = await launchBrowser();
  const { page } = browser;

  // The index lists the deployment, linking to its page.
  await page.goto(url!);
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("live");
  const link = page.locator(`a[href="/deployment?id=${id}"]`);
  expect(await link.count()).toBe(1);
  expect(await page.locator("#deployments tbody tr").first().textContent()).toContain("reverser");
  await browser.screenshot(`dashboard-${deployer}-index`);

  // The deployment page: groups x replicas, all ready, and the listener.
  await link.click();
  await page.waitForURL(/\/deployment\?id=/);
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("live");
  const rows = page.locator("#components tbody tr");
  expect(await rows.count()).toBe(groups * replicasPerGroup);
  const groupNames = new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-group"))));
  expect(groupNames.size).toBe(groups);
  expect(await page.locator("#components .badge.good").count()).toBe(groups * replicasPerGroup);
  expect(await page.locator("#summary").textContent()).toContain(listener);

  // The traffic graph's counts rise as requests arrive, with no reload.
  await page.evaluate("window.notReloaded = true");
  const reverser = await edgeCount(MAIN_TO_REVERSER);
  const converter = await edgeCount(MAIN_TO_CONVERTER);
  await send(listener, "/both?name=dashboard", 4);
  await expect.poll(() => edgeCount(MAIN_TO_REVERSER), EVENTUALLY).toBe(reverser + 4);
  await expect.poll(() => edgeCount(MAIN_TO_CONVERTER), EVENTUALLY).toBe(converter + 4);
  expect(await page.evaluate("window.notReloaded")).toBe(true);
  expect(await page.locator(`${MAIN_TO_REVERSER} text.count`).textContent()).toBe(String(reverser + 4));
  expect(await page.locator("#methods").textContent()).toContain("reverse");
  await browser.screenshot(`dashboard-${deployer}-deployment`);

  if (deployer === "multi") {
    // A replica killed: the page shows its restart and the new process, still without a reload.
    const victim = status.groups.find((g) => g.name === "reverser.Reverser")!.replicas[0]!;
    process.kill(victim.pid, "SIGKILL");
    const restarts = page.locator('#components tr[data-group="reverser.Reverser"] td:nth-last-child(2)');
    await expect.poll(async () => (await restarts.allTextContents()).map(Number).reduce((a, b) => a + b, 0), EVENTUALLY).toBe(1);
    await expect.poll(() => page.locator("#components .badge.good").count(), EVENTUALLY).toBe(groups * replicasPerGroup);
    expect(await page.locator(`#components tr[data-replica="${victim.id}"]`).count()).toBe(0);
    expect(await page.evaluate("window.notReloaded")).toBe(true);
  }

  // Logs: a query, then an entry the app writes after the page opened appears in it.
  await page.locator("nav.tabs a", { hasText: "Logs" }).click();
  await page.waitForURL(/\/logs\?id=/);
  await page.locator('input[name="q"]').fill('msg == "reversing" && attrs["len"] == "29"');
  await page.locator('form.log-query button[type="submit"]').click();
  await page.waitForURL(/q=/);
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("live");
  expect(await page.locator("#log-rows tr").count()).toBe(0);
  await send(listener, `/reverse?name=${"x".repeat(29)}`);
  await expect.poll(() => page.locator("#log-rows tr").count(), EVENTUALLY).toBe(1);
  expect(await page.locator("#log-rows tr").textContent()).toContain('len="29"');
  expect(await page.locator("#log-rows tr.lvl-debug").count()).toBe(1);
  await page.goto(`${url}/logs?id=${id}`);
  await browser.screenshot(`dashboard-${deployer}-logs`);

  // Traces: a /both request's trace opens as a waterfall.
  await page.locator("nav.tabs a", { hasText: "Traces" }).click();
  await page.waitForURL(/\/traces\?id=/);
  const both = page.locator("a.trace-link", { hasText: "GET /both" }).first();
  await expect.poll(() => both.count(), EVENTUALLY).toBe(1);
  await browser.screenshot(`dashboard-${deployer}-traces`);
  await both.click();
  await page.waitForURL(/\/trace\?id=/);
  const spans = page.locator("details.span");
  // The list shows a trace once its first spans are in; the rest arrive live (pulled every second).
  await expect.poll(() => spans.count(), EVENTUALLY).toBe(deployer === "multi" ? 5 : 3);
  expect(await page.locator("ul.legend li").count()).toBe(deployer === "multi" ? 3 : 1);
  await spans.first().locator("summary").click();
  expect(await spans.first().locator("table.span-detail").textContent()).toContain("url.path");
  await browser.screenshot(`dashboard-${deployer}-trace`);

  // Metrics, filtered as one types.
  await page.locator("nav.tabs a", { hasText: "Metrics" }).click();
  await page.waitForURL(/\/metrics\?id=/);
  expect(await page.locator('section.metric[data-metric="weaver_method_count"]').count()).toBe(1);
  // Totals over replicas first; rows that are all zero (no errors yet) hide until the toggle shows them, and it counts them.
  const zeroRows = Number(await page.locator("#metric-zero-count").getAttribute("data-zero-rows"));
  expect(zeroRows).toBeGreaterThan(0);
  expect(await page.locator("#metric-zeros-label").textContent()).toBe(`Show ${zeroRows} all-zero row${zeroRows === 1 ? "" : "s"}`);
  expect(await page.locator("tr.zero:visible").count()).toBe(0);
  await page.locator("#metric-zeros").check();
  await expect.poll(() => page.locator("tr.zero:visible").count(), EVENTUALLY).toBeGreaterThan(0);
  expect(page.url()).toContain("zeros=1");
  await page.locator("#metric-zeros").uncheck();
  await expect.poll(() => page.locator("tr.zero:visible").count(), EVENTUALLY).toBe(0);
  // A row's replicas, opened, stay open through the live updates (the charts change every second).
  await page.locator("section.metric:not(.zero) tr:not(.zero) details.replicas summary").first().click();
  const metricsCard = page.locator('[data-card="metrics"]');
  const hash = await metricsCard.getAttribute("data-hash");
  await expect.poll(() => metricsCard.getAttribute("data-hash"), EVENTUALLY).not.toBe(hash);
  expect(await page.locator("details.replicas[open]").count()).toBe(1);
  await page.locator("#metric-filter").fill("method_count");
  await expect.poll(() => page.locator("section.metric:visible").count(), EVENTUALLY).toBe(1);
  expect(page.url()).toContain("filter=method_count");
  await browser.screenshot(`dashboard-${deployer}-metrics`);
  // RE2 runs the filter (the re2js asset): a regular expression works, and one that JavaScript's
  // backtracking RegExp takes minutes on for each long metric name does not freeze the page.
  await page.locator("#metric-filter").fill("^weaver_method_c(o)unt$");
  await expect.poll(() => page.locator("section.metric:visible").count(), EVENTUALLY).toBe(1);
  await page.locator("#metric-filter").fill("^([a-z_]+)+!");
  await expect.poll(() => page.locator("#metric-shown").textContent(), EVENTUALLY).toMatch(/^0 of \d+ metrics$/);

  // Stopped, the deployment's open page turns into that of what it stored, by itself; the index
  // lists it under Past deployments, and it opens from there: its stored logs and traces.
  await page.goto(`${url}/deployment?id=${id}`);
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("live");
  const stopped = await app.stop("SIGINT");
  expect(stopped.code === 0 || stopped.signal === "SIGINT").toBe(true);
  await expect.poll(() => page.locator(".banner.ended").count(), EVENTUALLY).toBe(1);
  await page.goto(url!);
  const past = page.locator(`#past a[href="/deployment?id=${id}"]`);
  await expect.poll(() => past.count(), EVENTUALLY).toBe(1);
  expect(await page.locator(`#deployments a[href="/deployment?id=${id}"]`).count()).toBe(0);
  await browser.screenshot(`dashboard-${deployer}-index-past`);
  await past.click();
  await page.waitForURL(/\/deployment\?id=/);
  expect(await page.locator(".banner.ended").textContent()).toContain("This deployment has ended");
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("ended");
  expect(await page.locator("#log-rows").textContent()).toContain("reversing");
  expect(await page.locator("a.trace-link", { hasText: "GET /both" }).count()).toBeGreaterThan(0);
  await browser.screenshot(`dashboard-${deployer}-ended`);
  await page.locator("a.trace-link", { hasText: "GET /both" }).first().click();
  await page.waitForURL(/\/trace\?id=/);
  expect(await page.locator("details.span").count()).toBe(deployer === "multi" ? 5 : 3);

  expect(browser.errors).toEqual([]);
  // Nothing came from anywhere but the dashboard: it works with the network unplugged.
  expect(browser.requests.filter((r) => !r.startsWith(`${url}/`))).toEqual([]);
  expect(browser.requests.length).toBeGreaterThan(10);
  const done = await dashboard.stop("SIGINT");
  expect(done.code === 0 || done.signal === "SIGINT").toBe(true);
  expect(dashboard.stderr).toBe(`Dashboard available at: ${url}\n`);
}

describe("the dashboard in a browser", () => {
  it("shows a multi deployment: 3 groups x 2 replicas, traffic rising, live logs, a trace, metrics", { timeout: 120_000 }, () =>
    checkDashboard("multi", 3, 2),
  );

  it("shows a single-process deployment the same way: 1 group of 1 process", { timeout: 120_000 }, () => checkDashboard("single", 1, 1));
});
