// Tests of the Online Boutique's components under the three runners of the testing kit: `local`
// calls the implementations directly; `rpc` sends every call through the generated stubs and
// msgpackr (and runs each retriable call twice); `multi` runs each component in a process of its
// own, from the app's build. Payment is faked where a test needs to see what was charged.
import { describe, expect, it } from "vitest";
import { fake, runners } from "@weaver/core/testing";
import "./weaver_gen.js";
import { CartImpl } from "./cart.js";
import { ProductCatalogImpl } from "./catalog.js";
import { CheckoutImpl } from "./checkout.js";
import { CurrencyImpl } from "./currency.js";
import { EmailImpl } from "./email.js";
import { RecommendationImpl } from "./recommendation.js";
import { AdServiceImpl } from "./ad.js";
import { PaymentImpl } from "./payment.js";
import { ShippingImpl } from "./shipping.js";
import type { CreditCard, Money, PlaceOrderRequest } from "./logic/types.js";

const VISA: CreditCard = { number: "4432-8015-6152-0454", cvv: 672, expirationYear: 2039, expirationMonth: 1 };

function order(userId: string, creditCard: CreditCard = VISA, userCurrency = "USD"): PlaceOrderRequest {
  const address = {
    streetAddress: "1600 Amphitheatre Parkway",
    city: "Mountain View",
    state: "CA",
    country: "United States",
    zipCode: 94043,
  };
  return { userId, userCurrency, address, email: `${userId}@example.com`, creditCard };
}

describe.each(runners)("online boutique ($name runner)", (runner) => {
  it("browses the catalog, with recommendations and ads", () =>
    runner.run(async (app) => {
      const catalog = await app.get(ProductCatalogImpl);
      const products = await catalog.listProducts();
      expect(products.map((p) => p.name)).toContain("Sunglasses");
      expect(products).toHaveLength(9);
      expect(await catalog.getProduct("OLJCESPC7Z")).toMatchObject({
        name: "Sunglasses",
        priceUsd: { currencyCode: "USD", units: 19, nanos: 990000000 },
      });
      await expect(catalog.getProduct("nope")).rejects.toThrow("no product with ID nope");
      expect((await catalog.searchProducts("kitchen")).map((p) => p.name)).toEqual(["Salt & Pepper Shakers", "Bamboo Glass Jar"]);
      const recs = await (await app.get(RecommendationImpl)).listRecommendations("ada", ["OLJCESPC7Z", "66VCHSJNUP"]);
      expect(recs.length).toBe(5);
      expect(recs).not.toContain("OLJCESPC7Z");
      expect(recs).not.toContain("66VCHSJNUP");
      const ads = await (await app.get(AdServiceImpl)).getAds(["kitchen"]);
      expect(ads.map((a) => a.redirectUrl)).toEqual(["/product/9SIQT8TOJO", "/product/6E92ZMYYFZ"]);
      expect(await (await app.get(AdServiceImpl)).getAds([])).toHaveLength(2);
    }));

  it("converts currencies with the EUR-based rates", () =>
    runner.run(async (app) => {
      const currency = await app.get(CurrencyImpl);
      expect(await currency.getSupportedCurrencies()).toEqual(expect.arrayContaining(["EUR", "USD", "JPY", "GBP", "TRY", "CAD"]));
      const price: Money = { currencyCode: "USD", units: 19, nanos: 990000000 };
      expect(await currency.convert(price, "EUR")).toEqual({ currencyCode: "EUR", units: 17, nanos: 682441398 });
      expect(await currency.convert(price, "USD")).toEqual(price);
      expect((await currency.convert(price, "JPY")).units).toBe(2235);
      await expect(currency.convert(price, "XXX")).rejects.toThrow("unsupported currency XXX");
    }));

  it("checks out: charges the total, ships, empties the cart and emails a confirmation", () => {
    const charged: Money[] = [];
    return runner.run(
      async (app) => {
        const cart = await app.get(CartImpl);
        await cart.addItem("ada", { productId: "OLJCESPC7Z", quantity: 2 });
        await cart.addItem("ada", { productId: "6E92ZMYYFZ", quantity: 1 });
        await cart.addItem("ada", { productId: "OLJCESPC7Z", quantity: 1 });
        expect((await cart.getCart("ada")).items).toEqual([
          { productId: "OLJCESPC7Z", quantity: 3 },
          { productId: "6E92ZMYYFZ", quantity: 1 },
        ]);
        const result = await (await app.get(CheckoutImpl)).placeOrder(order("ada"));
        // 3 x $19.99 + $8.99 + shipping $8.99.
        expect(charged).toEqual([{ currencyCode: "USD", units: 77, nanos: 950000000 }]);
        expect(result.shippingTrackingId).toMatch(/^[A-Z]{2}-\d+-\d+$/);
        expect(result.shippingCost).toEqual({ currencyCode: "USD", units: 8, nanos: 990000000 });
        expect(result.items.map((i) => i.item)).toEqual([
          { productId: "OLJCESPC7Z", quantity: 3 },
          { productId: "6E92ZMYYFZ", quantity: 1 },
        ]);
        expect((await cart.getCart("ada")).items).toEqual([]);
        const mails = await (await app.get(EmailImpl)).sentTo("ada@example.com");
        expect(mails).toHaveLength(1);
        expect(mails[0]!.body).toContain(result.orderId);
        expect(mails[0]!.body).toContain(result.shippingTrackingId);
      },
      {
        fakes: [
          fake(PaymentImpl, {
            charge: async (amount) => {
              charged.push(amount);
              return "tx-1";
            },
          }),
        ],
      },
    );
  });

  it("prices an order in the user's currency", () =>
    runner.run(async (app) => {
      await (await app.get(CartImpl)).addItem("eve", { productId: "OLJCESPC7Z", quantity: 1 });
      const result = await (await app.get(CheckoutImpl)).placeOrder(order("eve", VISA, "EUR"));
      expect(result.items[0]!.cost).toEqual({ currencyCode: "EUR", units: 17, nanos: 682441398 });
      expect(result.shippingCost.currencyCode).toBe("EUR");
    }));

  it("refuses a bad card with a clear error, and keeps the cart", () =>
    runner.run(async (app) => {
      const cart = await app.get(CartImpl);
      const checkout = await app.get(CheckoutImpl);
      await cart.addItem("bob", { productId: "1YMWWN1N4O", quantity: 1 });
      await expect(checkout.placeOrder(order("bob", { ...VISA, number: "4432-8015-6152-0455" }))).rejects.toThrow(
        "failed to charge card: Credit card info is invalid",
      );
      await expect(checkout.placeOrder(order("bob", { ...VISA, number: "378282246310005" }))).rejects.toThrow(
        "Only VISA or MasterCard is accepted",
      );
      await expect(checkout.placeOrder(order("bob", { ...VISA, expirationYear: 2020 }))).rejects.toThrow(
        "Your credit card (ending 0454) expired on 1/2020",
      );
      await expect(
        (await app.get(PaymentImpl)).charge({ currencyCode: "USD", units: 1, nanos: 0 }, { ...VISA, number: "1234" }),
      ).rejects.toMatchObject({
        name: "PaymentError",
        reason: "invalid",
      });
      expect((await cart.getCart("bob")).items).toEqual([{ productId: "1YMWWN1N4O", quantity: 1 }]);
      expect(await (await app.get(EmailImpl)).sentTo("bob@example.com")).toEqual([]);
      await expect(checkout.placeOrder(order("nobody"))).rejects.toThrow("the cart is empty");
      expect(typeof (await (await app.get(ShippingImpl)).getQuote(order("x").address, []))).toBe("object");
    }));
});
