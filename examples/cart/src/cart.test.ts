// Tests of the cart example under the three runners of the testing kit: `local` calls the
// implementation directly; `rpc` sends every call through the generated stubs and msgpackr;
// `multi` runs Cart in processes of its own, from the app's build (3 of them in the last test,
// where only the router keeps each user's cart in one place).
import { describe, expect, it } from "vitest";
import { runners } from "@weaver/core/testing";
import "./weaver_gen.js";
import { CartImpl, CartRouter } from "./cart.js";

describe.each(runners)("cart example ($name runner)", (runner) => {
  it("adds items to a user's cart and answers it sorted by sku", () =>
    runner.run(async (app) => {
      const cart = await app.get(CartImpl);
      expect((await cart.getCart("ada")).items).toEqual([]);
      await cart.addItem("ada", "tea");
      await cart.addItem("ada", "apple");
      const view = await cart.addItem("ada", "tea");
      expect(view.user).toBe("ada");
      expect(view.items).toEqual([
        { sku: "apple", quantity: 1 },
        { sku: "tea", quantity: 2 },
      ]);
      expect((await cart.getCart("bob")).items).toEqual([]);
    }));

  // The rpc runner runs each retriable call twice, to expose methods that are not idempotent:
  // addItem is tagged notRetriable, so it runs once and quantities add up under it too.
  it("keeps every user's cart whole across replicas", () =>
    runner.run(
      async (app) => {
        const cart = await app.get(CartImpl);
        const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
        await Promise.all(users.map(async (u) => Promise.all([cart.addItem(u, "a"), cart.addItem(u, "b"), cart.addItem(u, "b")])));
        for (const u of users) {
          const view = await cart.getCart(u);
          expect(view.items, u).toEqual([
            { sku: "a", quantity: 1 },
            { sku: "b", quantity: 2 },
          ]);
        }
        // Under the multi runner, the carts are spread over the replicas, each user's in one.
        if (runner.name === "multi") {
          const holders = new Set(await Promise.all(users.map(async (u) => (await cart.getCart(u)).servedBy)));
          expect(holders.size).toBe(3);
        }
      },
      { replicas: 3 },
    ));
});

describe("CartRouter", () => {
  it("routes every call of a user by the user", () => {
    const router = new CartRouter();
    expect(router.addItem("ada", "tea")).toBe("ada");
    expect(router.getCart("ada")).toBe("ada");
  });
});
