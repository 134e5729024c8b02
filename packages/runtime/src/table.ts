/**
 * Boxed tables, as `weaver multi status` prints them (Service Weaver's tabularizer):
 *
 *   ╭──────────────────────────────╮
 *   │ TITLE                        │
 *   ├────────────┬────────────┬────┤
 *   │ APP        │ DEPLOYMENT │ AGE│ ...
 *
 * Every column is as wide as its widest cell; each cell is padded with one space on each side.
 * With colour, a cell that repeats the one above it in a leading column is dimmed.
 */
import { sgr } from "./terminal.js";

/** Renders a table with a title, a header row and data rows. */
export function renderTable(title: string, header: readonly string[], rows: readonly (readonly string[])[], color = false): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const width = 1 + widths.reduce((sum, w) => sum + w + 3, 0);
  const rule = (left: string, mid: string, right: string): string => left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right;
  const line = (cells: readonly string[], dim: readonly boolean[] = []): string =>
    "│" +
    widths
      .map((w, i) => {
        const cell = cells[i] ?? "";
        const shown = color && dim[i] ? sgr(2, cell) : cell;
        return ` ${shown}${" ".repeat(w - cell.length)} `;
      })
      .join("│") +
    "│";
  const out = [
    `╭${"─".repeat(width - 2)}╮`,
    `│ ${title}${" ".repeat(Math.max(0, width - 4 - title.length))} │`,
    rule("├", "┬", "┤"),
    line(header),
    rule("├", "┼", "┤"),
  ];
  rows.forEach((row, r) => {
    // Leading cells equal to the row above are dimmed, until the first cell that differs.
    const dim: boolean[] = [];
    let same = r > 0;
    row.forEach((cell, i) => {
      same = same && rows[r - 1]?.[i] === cell;
      dim.push(same);
    });
    out.push(line(row, dim));
  });
  out.push(rule("╰", "┴", "╯"));
  return out.join("\n") + "\n";
}

/** Formats a duration the way Go prints a truncated time.Duration: 3s, 1m3s, 2h5m0s. */
export function formatAge(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
