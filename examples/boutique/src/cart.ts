import { Implements } from "@weaver/core";
import { CartStore } from "./logic/cart-store.js";
import type { Cart, CartItem, UserCart } from "./logic/types.js";

/** Routes every call of a user to one replica, the one that holds the user's cart. */
export class CartRouter {
  addItem(userId: string, _item: CartItem): string {
    return userId;
  }
  getCart(userId: string): string {
    return userId;
  }
  emptyCart(userId: string): string {
    return userId;
  }
}

/** The cart component: carts in memory, which is why its calls are routed by user. */
export class CartImpl extends Implements<Cart>() implements Cart {
  static readonly router = CartRouter;
  readonly #store = new CartStore();

  async addItem(userId: string, item: CartItem): Promise<void> {
    this.#store.add(userId, item);
  }

  async getCart(userId: string): Promise<UserCart> {
    return this.#store.get(userId);
  }

  async emptyCart(userId: string): Promise<void> {
    this.#store.empty(userId);
  }
}
