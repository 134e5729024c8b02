import { Implements } from "@weaver/core";
import { confirmation, Outbox } from "./logic/email.js";
import type { Email, OrderResult, SentEmail } from "./logic/types.js";

/** The email component: records order confirmations and logs them (no SMTP). */
export class EmailImpl extends Implements<Email>() implements Email {
  readonly #outbox = new Outbox();

  async sendOrderConfirmation(email: string, order: OrderResult): Promise<void> {
    this.#outbox.record(confirmation(email, order));
    this.logger.info({ to: email, order: order.orderId }, "order confirmation sent");
  }

  async sentTo(email: string): Promise<SentEmail[]> {
    return this.#outbox.sentTo(email);
  }
}
