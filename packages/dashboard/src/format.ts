/**
 * Numbers as the dashboard shows them to a reader: latencies with three significant digits and
 * the unit that keeps them between 1 and 1000 (845 µs, 1.23 ms, 12.4 s), and component names in
 * their short form (shop.Cart), with the full name (shop/Cart) in a tooltip.
 */
import { shortName } from "@weaver/runtime";
import { escapeHtml, raw, type Html } from "./html.js";

/** Units from the smallest up, each as a number of microseconds. */
const UNITS: readonly (readonly [unit: string, micros: number])[] = [
  ["ns", 0.001],
  ["µs", 1],
  ["ms", 1_000],
  ["s", 1_000_000],
];

/** A duration in microseconds for reading: three significant digits and a unit ("845 µs", "1.23 ms", "12.4 s"). */
export function formatMicros(micros: number): string {
  if (!Number.isFinite(micros)) return String(micros);
  if (micros === 0) return "0 ms";
  const size = Math.abs(micros);
  // The largest unit the value is at least 1 of, after rounding: 999.6 µs reads "1.00 ms", not "1.00e+3 µs".
  let i = UNITS.length - 1;
  while (i > 0 && Number((size / UNITS[i]![1]).toPrecision(3)) < 1) i--;
  const [unit, per] = UNITS[i]!;
  const v = micros / per;
  // Beyond 1000 s, three significant digits would need an exponent: whole seconds read better.
  return `${Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3)} ${unit}`;
}

/** A duration in milliseconds for reading (see formatMicros). */
export function formatMs(ms: number): string {
  return formatMicros(ms * 1000);
}

/** A component's short name (shop.Cart) in <code>, with its full name (shop/Cart) as the tooltip. */
export function componentName(fullName: string): Html {
  return raw(`<code title="${escapeHtml(fullName)}">${escapeHtml(shortName(fullName))}</code>`);
}
