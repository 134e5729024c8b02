/** The shipping service: a flat quote for a non-empty order, and tracking ids. */
import type { CartItem, Money } from "./types.js";

/** The quote, in USD: $8.99 for any number of items, $0 for none (as the original). */
export function quote(items: readonly CartItem[]): Money {
  const count = items.reduce((n, i) => n + i.quantity, 0);
  return count === 0 ? { currencyCode: "USD", units: 0, nanos: 0 } : { currencyCode: "USD", units: 8, nanos: 990000000 };
}

/** A tracking id in the original's shape, e.g. "AB-12345-6789012", salted with the address. */
export function trackingId(salt: string, random: () => number = Math.random): string {
  const letter = (): string => String.fromCharCode(65 + Math.floor(random() * 26));
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");
  return `${letter()}${letter()}-${salt.length}${digits(3)}-${Math.floor(salt.length / 2)}${digits(7)}`;
}
