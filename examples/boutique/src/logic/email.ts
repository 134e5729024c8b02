/** The email service's order confirmation, rendered as text (there is no SMTP server: it is recorded). */
import { format } from "./money.js";
import type { OrderResult, SentEmail } from "./types.js";

/** The confirmation of an order, as it would be mailed. */
export function confirmation(to: string, order: OrderResult): SentEmail {
  const lines = order.items.map((i) => `  ${i.item.quantity} x ${i.item.productId}  ${format(i.cost)}`);
  const body = [
    `Thank you for your order ${order.orderId}.`,
    ...lines,
    `Shipping: ${format(order.shippingCost)}, tracking id ${order.shippingTrackingId}`,
    `To: ${order.shippingAddress.streetAddress}, ${order.shippingAddress.zipCode} ${order.shippingAddress.city}, ${order.shippingAddress.country}`,
  ].join("\n");
  return { to, subject: "Your Confirmation Email", body };
}

/** The confirmations recorded, per address; keeps the last 100 of each. */
export class Outbox {
  readonly #sent = new Map<string, SentEmail[]>();

  record(mail: SentEmail): void {
    const list = this.#sent.get(mail.to) ?? [];
    list.push(mail);
    if (list.length > 100) list.shift();
    this.#sent.set(mail.to, list);
  }

  sentTo(to: string): SentEmail[] {
    return [...(this.#sent.get(to) ?? [])];
  }
}
