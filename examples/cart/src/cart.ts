import { Implements } from "@weaver/core";

/** One line of a cart: a product and how many of it. */
export interface Item {
  readonly sku: string;
  readonly quantity: number;
}

/** A user's cart, and the process that holds it. */
export interface CartView {
  readonly user: string;
  /** Sorted by sku. */
  readonly items: Item[];
  /** The process id of the replica that holds the cart (and answered). */
  readonly servedBy: number;
}

/** Cart keeps every user's cart in memory. */
export interface Cart {
  /**
   * Adds one item of `sku` to the cart of `user`; returns the cart. Not retried on a transport
   * failure: a retry could add the item twice.
   * @weaver notRetriable
   */
  addItem(user: string, sku: string): Promise<CartView>;
  /** Returns the cart of `user` (empty when the user added nothing). */
  getCart(user: string): Promise<CartView>;
}

/**
 * Routes a user's calls to one replica, so the user's cart lives in one place: each method takes
 * the parameters of the Cart method of the same name and returns the routing key.
 */
export class CartRouter {
  addItem(user: string, _sku: string): string {
    return user;
  }
  getCart(user: string): string {
    return user;
  }
}

/** The implementation of Cart: carts in a Map, which is why calls must be routed by user. */
export class CartImpl extends Implements<Cart>() implements Cart {
  static readonly router = CartRouter;
  readonly #carts = new Map<string, Map<string, number>>();

  async addItem(user: string, sku: string): Promise<CartView> {
    let cart = this.#carts.get(user);
    if (cart === undefined) this.#carts.set(user, (cart = new Map()));
    cart.set(sku, (cart.get(sku) ?? 0) + 1);
    this.logger.debug({ user, sku }, "item added");
    return this.#view(user);
  }

  async getCart(user: string): Promise<CartView> {
    return this.#view(user);
  }

  #view(user: string): CartView {
    const items = [...(this.#carts.get(user) ?? new Map<string, number>())]
      .map(([sku, quantity]) => ({ sku, quantity }))
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    return { user, items, servedBy: process.pid };
  }
}
