/** Money arithmetic of the Online Boutique (its frontend's money package and currency service). */
import type { Money } from "./types.js";

const NANOS = 1_000_000_000;

/** Whether units and nanos have the same sign and nanos is in range. */
export function isValid(m: Money): boolean {
  const signOk = (m.units >= 0 && m.nanos >= 0) || (m.units <= 0 && m.nanos <= 0);
  return signOk && m.nanos > -NANOS && m.nanos < NANOS;
}

/** l + r; both in the same currency. */
export function sum(l: Money, r: Money): Money {
  if (!isValid(l) || !isValid(r)) throw new Error("one of the specified money values is invalid");
  if (l.currencyCode !== r.currencyCode) throw new Error(`mismatching currency codes ${l.currencyCode} and ${r.currencyCode}`);
  let units = l.units + r.units;
  let nanos = l.nanos + r.nanos;
  if ((units === 0 && nanos === 0) || (units > 0 && nanos >= 0) || (units < 0 && nanos <= 0)) {
    units += Math.trunc(nanos / NANOS);
    nanos %= NANOS;
  } else if (units > 0) {
    units--;
    nanos += NANOS;
  } else {
    units++;
    nanos -= NANOS;
  }
  return { currencyCode: l.currencyCode, units, nanos };
}

/** m times n, by repeated addition as the original does. */
export function multiply(m: Money, n: number): Money {
  let out = m;
  for (let i = 1; i < n; i++) out = sum(out, m);
  return out;
}

/** Zero in a currency. */
export function zero(currencyCode: string): Money {
  return { currencyCode, units: 0, nanos: 0 };
}

/**
 * The currency service's conversion (its `_carry` and rounding, step for step): the amount is
 * divided by the source rate into euros (nanos rounded), then multiplied by the target rate (both
 * floored). Rates are EUR-based: 1 EUR is `rates[code]` of the currency.
 */
export function convert(from: Money, toCode: string, rates: Readonly<Record<string, number>>): Money {
  const fromRate = rates[from.currencyCode];
  const toRate = rates[toCode];
  if (fromRate === undefined) throw new Error(`unsupported currency ${from.currencyCode}`);
  if (toRate === undefined) throw new Error(`unsupported currency ${toCode}`);
  const euros = carry(from.units / fromRate, from.nanos / fromRate);
  euros.nanos = Math.round(euros.nanos);
  const result = carry(euros.units * toRate, euros.nanos * toRate);
  return { currencyCode: toCode, units: Math.floor(result.units), nanos: Math.floor(result.nanos) };
}

function carry(units: number, nanos: number): { units: number; nanos: number } {
  const n = nanos + (units % 1) * NANOS;
  return { units: Math.floor(units) + Math.floor(n / NANOS), nanos: n % NANOS };
}

const SYMBOLS: Readonly<Record<string, string>> = { USD: "$", CAD: "$", JPY: "¥", EUR: "€", TRY: "₺", GBP: "£" };

/** Renders money as the frontend does: "$19.99", "€17.68". */
export function format(m: Money): string {
  const symbol = SYMBOLS[m.currencyCode] ?? `${m.currencyCode} `;
  return `${symbol}${m.units}.${String(Math.floor(Math.abs(m.nanos) / 10_000_000)).padStart(2, "0")}`;
}
