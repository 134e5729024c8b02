/** Terminal styling: colour only on a TTY, and never when NO_COLOR is set. */

/** Tells whether output to `stream` should be coloured. */
export function colorEnabled(stream: { readonly isTTY?: boolean } = process.stdout): boolean {
  if (process.env["NO_COLOR"] !== undefined) return false;
  if (process.env["FORCE_COLOR"] !== undefined && process.env["FORCE_COLOR"] !== "0") return true;
  return stream.isTTY === true;
}

const PALETTE = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/** Picks a stable colour for an id, so one deployment or replica always shows in one colour. */
export function colorFor(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length] as number;
}

/** Wraps text in an SGR sequence. */
export function sgr(code: number | string, text: string): string {
  return `\x1b[${code}m${text}\x1b[0m`;
}
