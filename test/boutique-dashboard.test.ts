// The dashboard on a real many-component app: the Online Boutique deployed split with
// `weaver multi deploy` (ten components, one process each), some shoppers' traffic including a
// checkout, then the deployment's page in headless Chromium: the traffic graph shows the ten
// components and the calls between them, and a checkout's trace opens as a waterfall with the
// spans of the payment, shipping, email and cart components. Screenshots:
// test-artifacts/boutique-traffic-graph.png and test-artifacts/boutique-checkout-trace.png.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "./support/browser.js";
import { ROOT, TestProcess, stopAll } from "./support/process.js";
import { CHECKOUT_FORM } from "boutique/dist/logic/sample-order.js";

const APP = join(ROOT, "examples/boutique");
const data = mkdtempSync(join(tmpdir(), "weaver-boutique-dash-"));
const env = { XDG_DATA_HOME: data };
let browser: TestBrowser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await stopAll();
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

const EVENTUALLY = { timeout: 30_000, interval: 200 };
const COMPONENTS = [
  "Main",
  "ProductCatalog",
  "Currency",
  "Cart",
  "Recommendation",
  "Shipping",
  "Payment",
  "Email",
  "Checkout",
  "AdService",
];

/** The example's weaver.toml, its binary absolute, a free port, and every request traced. */
function config(): string {
  const text = readFileSync(join(APP, "weaver.toml"), "utf8")
    .replace('binary = "./dist/main.js"', `binary = "${join(APP, "dist/main.js")}"\ntraces_per_second = 1000`)
    .replaceAll('address = "localhost:8090"', 'address = "127.0.0.1:0"');
  const file = join(data, "weaver.toml");
  writeFileSync(file, text);
  return file;
}

async function shop(base: string, path: string, form?: Record<string, string>): Promise<number> {
  const init: RequestInit = { headers: { cookie: "shop_session-id=dashboard-shopper" }, redirect: "manual" };
  if (form !== undefined) Object.assign(init, { method: "POST", body: new URLSearchParams(form) });
  const res = await fetch(`${base}${path}`, init);
  await res.text();
  return res.status;
}

it("shows the boutique's ten components, their traffic and a checkout's trace", { timeout: 180_000 }, async () => {
  const app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", config()], { env });
  const [, id] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/, 60_000);
  const [, base] = await app.waitFor(/boutique available on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);

  // A shopper browses, fills the cart and checks out.
  expect(await shop(base!, "/")).toBe(200);
  expect(await shop(base!, "/product/OLJCESPC7Z")).toBe(200);
  expect(await shop(base!, "/cart", { product_id: "OLJCESPC7Z", quantity: "2" })).toBe(302);
  expect(await shop(base!, "/cart")).toBe(200);
  expect(await shop(base!, "/cart/checkout", CHECKOUT_FORM)).toBe(200);

  const dashboard = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "dashboard", "--no-open"], { env });
  const [, url] = await dashboard.waitFor(/Dashboard available at: (http:\/\/127\.0\.0\.1:\d+)/);
  browser = await launchBrowser();
  const { page } = browser;

  // The traffic graph: ten components, and the checkout's calls.
  await page.goto(`${url}/deployment?id=${id}`);
  await expect.poll(() => page.locator("#live-state").textContent(), EVENTUALLY).toBe("live");
  await expect.poll(() => page.locator("g.node").count(), EVENTUALLY).toBe(10);
  const names = await page.locator("g.node > text:not(.sub)").allTextContents();
  for (const c of COMPONENTS)
    expect(
      names.some((n) => n.endsWith(`.${c}`)),
      `${c} in ${names.join(", ")}`,
    ).toBe(true);
  const edge = (caller: string, callee: string) => page.locator(`[data-edge="${caller}->${callee}"]`).getAttribute("data-count");
  for (const callee of ["boutique/Payment", "boutique/Shipping", "boutique/Email", "boutique/Cart"])
    await expect.poll(async () => Number(await edge("boutique/Checkout", callee)), EVENTUALLY).toBeGreaterThan(0);
  await expect.poll(async () => Number(await edge("weaver/Main", "boutique/Currency")), EVENTUALLY).toBeGreaterThan(9);
  await browser.screenshot("boutique-traffic-graph");

  // The checkout's trace: its waterfall holds the spans of the components it called.
  await page.goto(`${url}/traces?id=${id}`);
  const link = page.locator("a.trace-link", { hasText: "POST /cart/checkout" }).first();
  await expect.poll(() => link.count(), EVENTUALLY).toBe(1);
  await link.click();
  await page.waitForURL(/\/trace\?id=/);
  const spanNames = async (): Promise<string> => (await page.locator(".span-name").allTextContents()).join(" | ");
  for (const c of ["Payment", "Shipping", "Email", "Cart", "Checkout"]) await expect.poll(spanNames, EVENTUALLY).toContain(c);
  expect(await page.locator("ul.legend li").count()).toBeGreaterThanOrEqual(6);
  await browser.screenshot("boutique-checkout-trace");
  expect(browser.errors).toEqual([]);
});
