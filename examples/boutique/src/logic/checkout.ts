/** The checkout service's placeOrder, over whichever clients of the other services it is given. */
import { randomUUID } from "node:crypto";
import { multiply, sum } from "./money.js";
import type { CheckoutDeps, OrderItem, OrderResult, PlaceOrderRequest } from "./types.js";

/**
 * Places an order as the original does: prices the cart's items in the user's currency, quotes
 * shipping, charges the total, ships, empties the cart, then sends the confirmation (whose failure
 * is logged by `warn`, not the order's). A refused card rejects before anything ships or empties.
 */
export async function placeOrder(deps: CheckoutDeps, req: PlaceOrderRequest, warn: (msg: string) => void = () => {}): Promise<OrderResult> {
  const cart = await deps.cart.getCart(req.userId);
  if (cart.items.length === 0) throw new Error("cannot place an order: the cart is empty");
  const items: OrderItem[] = await Promise.all(
    cart.items.map(async (item) => {
      const product = await deps.catalog.getProduct(item.productId);
      return { item, cost: await deps.currency.convert(product.priceUsd, req.userCurrency) };
    }),
  );
  const shippingUsd = await deps.shipping.getQuote(req.address, cart.items);
  const shippingCost = await deps.currency.convert(shippingUsd, req.userCurrency);
  let total = shippingCost;
  for (const i of items) total = sum(total, multiply(i.cost, i.item.quantity));
  try {
    await deps.payment.charge(total, req.creditCard);
  } catch (e) {
    throw new Error(`failed to charge card: ${(e as Error).message}`);
  }
  const shippingTrackingId = await deps.shipping.shipOrder(req.address, cart.items);
  await deps.cart.emptyCart(req.userId);
  const order: OrderResult = { orderId: randomUUID(), shippingTrackingId, shippingCost, shippingAddress: req.address, items };
  try {
    await deps.email.sendOrderConfirmation(req.email, order);
  } catch (e) {
    warn(`failed to send order confirmation to ${req.email}: ${(e as Error).message}`);
  }
  return order;
}
