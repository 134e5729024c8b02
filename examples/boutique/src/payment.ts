import { Implements, registerError } from "@weaver/core";
import { charge, PaymentError } from "./logic/payment.js";
import type { CreditCard, Money, Payment } from "./logic/types.js";

// A refused card reaches the checkout as a PaymentError, with its reason, across processes too.
registerError(PaymentError);

/** The payment component: validates the card and answers a transaction id. */
export class PaymentImpl extends Implements<Payment>() implements Payment {
  async charge(amount: Money, card: CreditCard): Promise<string> {
    const id = charge(amount, card);
    this.logger.info({ transactionId: id, currency: amount.currencyCode, units: amount.units }, "card charged");
    return id;
  }
}
