/** The carts of the cart service, in memory (the original's local store, without Redis). */
import type { CartItem, UserCart } from "./types.js";

/** Every user's cart: product id to quantity, in the order first added. */
export class CartStore {
  readonly #carts = new Map<string, Map<string, number>>();

  /** Adds quantity of a product; quantities of the same product add up. */
  add(userId: string, item: CartItem): void {
    if (!Number.isInteger(item.quantity) || item.quantity <= 0)
      throw new Error(`quantity must be a positive integer, not ${item.quantity}`);
    let cart = this.#carts.get(userId);
    if (cart === undefined) this.#carts.set(userId, (cart = new Map()));
    cart.set(item.productId, (cart.get(item.productId) ?? 0) + item.quantity);
  }

  get(userId: string): UserCart {
    const items = [...(this.#carts.get(userId) ?? [])].map(([productId, quantity]) => ({ productId, quantity }));
    return { userId, items };
  }

  empty(userId: string): void {
    this.#carts.delete(userId);
  }
}
