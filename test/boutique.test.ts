// The Online Boutique example (examples/boutique) as a user runs it: deployed from its own
// weaver.toml with `weaver single deploy`, from colocated.toml with `weaver multi deploy`, and as
// the baseline's ten HTTP/JSON services, each answers the same shop over real HTTP: pages,
// currency, cart, checkout (and a refused card), and the JSON API. (The split deployment is
// exercised by boutique-dashboard.test.ts.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, stopAll } from "./support/process.js";
import { CHECKOUT_FORM } from "boutique/dist/logic/sample-order.js";

const APP = join(ROOT, "examples/boutique");
const data = mkdtempSync(join(tmpdir(), "weaver-boutique-"));
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** The example's config file with its binary made absolute and its port a free one. */
function boutiqueConfig(dir: string, file: string): string {
  const text = readFileSync(join(APP, file), "utf8")
    .replace('binary = "./dist/main.js"', `binary = "${join(APP, "dist/main.js")}"`)
    .replaceAll('address = "localhost:8090"', 'address = "127.0.0.1:0"');
  const out = join(dir, file);
  writeFileSync(out, text);
  return out;
}

/** Starts a set-up; resolves with the shop's base URL. */
async function start(setup: "single" | "multi" | "baseline"): Promise<string> {
  const env = { XDG_DATA_HOME: data };
  const p =
    setup === "baseline"
      ? new TestProcess(process.execPath, [join(APP, "dist/baseline/launch.js"), "0"], { env })
      : new TestProcess(
          process.execPath,
          ["packages/cli/bin/weaver.js", setup, "deploy", boutiqueConfig(data, setup === "single" ? "weaver.toml" : "colocated.toml")],
          { env },
        );
  const [, url] = await p.waitFor(/(?:boutique|baseline) available on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
  return url!;
}

/** A browser-like client: keeps the cookies the shop sets, does not follow redirects. */
class Shopper {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(
    method: string,
    path: string,
    form?: Record<string, string>,
    json?: unknown,
  ): Promise<{ status: number; text: string; location: string | null }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
    let body: string | undefined;
    if (form !== undefined) [headers["content-type"], body] = ["application/x-www-form-urlencoded", new URLSearchParams(form).toString()];
    if (json !== undefined) [headers["content-type"], body] = ["application/json", JSON.stringify(json)];
    const res = await fetch(`${this.base}${path}`, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = pair!.split("=");
      this.cookies.set(k!, v!);
    }
    return { status: res.status, text: await res.text(), location: res.headers.get("location") };
  }
}

describe.each(["single", "multi", "baseline"] as const)("the boutique under %s", (setup) => {
  it("serves the shop: browse, currency, cart, checkout, a refused card, the JSON API", { timeout: 120_000 }, async () => {
    const shop = new Shopper(await start(setup));
    const home = await shop.request("GET", "/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Sunglasses");
    expect(home.text).toContain("$19.99");
    expect(shop.cookies.get("shop_session-id")).toMatch(/^[0-9a-f-]{36}$/);

    expect((await shop.request("POST", "/setCurrency", { currency_code: "EUR" })).status).toBe(302);
    const product = await shop.request("GET", "/product/OLJCESPC7Z");
    expect(product.text).toContain("€17.68");
    expect(product.text).toContain("You may also like");
    expect(product.text).toContain("Watch for sale");
    expect((await shop.request("GET", "/product/nope")).status).toBe(404);

    const added = await shop.request("POST", "/cart", { product_id: "OLJCESPC7Z", quantity: "2" });
    expect([added.status, added.location]).toEqual([302, "/cart"]);
    const cart = await shop.request("GET", "/cart");
    expect(cart.text).toContain('<span id="cart-size">2</span>');
    expect(cart.text).toMatch(/Total: <span id="total">€43\.3\d<\/span>/);

    const refused = await shop.request("POST", "/cart/checkout", { ...CHECKOUT_FORM, credit_card_number: "4432-8015-6152-0455" });
    expect(refused.status).toBe(402);
    expect(refused.text).toContain("failed to charge card: Credit card info is invalid");
    const amex = await shop.request("POST", "/api/checkout", undefined, {
      email: "ada@example.com",
      address: { streetAddress: "x", city: "y", state: "z", country: "q", zipCode: 1 },
      creditCard: { number: "378282246310005", cvv: 1, expirationYear: 2039, expirationMonth: 1 },
    });
    expect(amex.status).toBe(402);
    expect(JSON.parse(amex.text).error).toContain("Only VISA or MasterCard is accepted");

    const done = await shop.request("POST", "/cart/checkout", CHECKOUT_FORM);
    expect(done.status).toBe(200);
    expect(done.text).toContain("Your order is complete!");
    expect(done.text).toMatch(/Tracking #: <span id="tracking-id">[A-Z]{2}-\d+-\d+<\/span>/);
    expect((await shop.request("GET", "/cart")).text).toContain("Your shopping cart is empty!");

    const api = JSON.parse((await shop.request("GET", "/api/products")).text) as {
      product: { id: string };
      price: { currencyCode: string };
    }[];
    expect(api).toHaveLength(9);
    expect(api[0]!.price.currencyCode).toBe("EUR");
    const one = JSON.parse((await shop.request("GET", "/api/products/OLJCESPC7Z")).text);
    expect([one.name, one.price.units, one.recommendations.length, one.ads[0].redirectUrl]).toEqual([
      "Sunglasses",
      17,
      5,
      "/product/1YMWWN1N4O",
    ]);
    const posted = JSON.parse((await shop.request("POST", "/api/cart", undefined, { productId: "6E92ZMYYFZ", quantity: 3 })).text);
    expect(posted.items).toEqual([
      { productId: "6E92ZMYYFZ", name: "Mug", quantity: 3, price: { currencyCode: "EUR", units: 7, nanos: 952233525 } },
    ]);
    expect(JSON.parse((await shop.request("GET", "/api/currencies")).text)).toEqual({
      currencies: ["EUR", "USD", "JPY", "GBP", "TRY", "CAD"],
      current: "EUR",
    });
  });
});
