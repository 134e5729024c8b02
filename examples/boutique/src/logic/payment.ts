/** The payment service: validates a credit card (Luhn, VISA or MasterCard, not expired) and "charges" it. */
import { randomUUID } from "node:crypto";
import type { CreditCard, Money } from "./types.js";

/** A card the payment service refused; the message says why, as the original's do. */
export class PaymentError extends Error {
  override readonly name = "PaymentError";
  /** "invalid", "unaccepted" or "expired". */
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message);
    this.reason = reason;
  }
}

/** Whether the digits pass the Luhn check. */
export function luhn(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    total += d;
  }
  return digits.length >= 12 && total % 10 === 0;
}

/** The card's type from its number: "visa", "mastercard" or "other". */
export function cardType(digits: string): "visa" | "mastercard" | "other" {
  if (/^4\d{12}(\d{3})?(\d{3})?$/.test(digits)) return "visa";
  if (/^(5[1-5]\d{14}|2(2[2-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})$/.test(digits)) return "mastercard";
  return "other";
}

/** Charges `amount` to the card; answers a transaction id, or throws a PaymentError. `now` is for tests. */
export function charge(amount: Money, card: CreditCard, now: Date = new Date()): string {
  const digits = card.number.replace(/[\s-]/g, "");
  if (!/^\d+$/.test(digits) || !luhn(digits)) throw new PaymentError("Credit card info is invalid", "invalid");
  const type = cardType(digits);
  if (type === "other")
    throw new PaymentError("Sorry, we cannot process this credit card. Only VISA or MasterCard is accepted.", "unaccepted");
  const year = now.getFullYear();
  const month = now.getMonth() + 1;
  if (year * 12 + month > card.expirationYear * 12 + card.expirationMonth)
    throw new PaymentError(
      `Your credit card (ending ${digits.slice(-4)}) expired on ${card.expirationMonth}/${card.expirationYear}`,
      "expired",
    );
  if (amount.units < 0 || amount.nanos < 0) throw new PaymentError("the amount to charge is negative", "invalid");
  return randomUUID();
}
