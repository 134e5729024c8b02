import { Implements } from "@weaver/core";
import { quote, trackingId } from "./logic/shipping.js";
import type { Address, CartItem, Money, Shipping } from "./logic/types.js";

/** The shipping component: flat quotes, and tracking ids for shipments. */
export class ShippingImpl extends Implements<Shipping>() implements Shipping {
  async getQuote(_address: Address, items: CartItem[]): Promise<Money> {
    return quote(items);
  }

  async shipOrder(address: Address, items: CartItem[]): Promise<string> {
    const id = trackingId(`${address.streetAddress}, ${address.city}, ${address.state}`);
    this.logger.info({ trackingId: id, items: items.length }, "shipment sent");
    return id;
  }
}
