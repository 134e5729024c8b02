/**
 * Boxed tables, as `weaver multi status` prints them (Service Weaver's tabularizer):
 *
 *   ╭──────────────────────────────╮
 *   │ TITLE                        │
 *   ├────────────┬────────────┬────┤
 *   │ APP        │ DEPLOYMENT │ AGE│ ...
 *
 * Every column is as wide as its widest cell; each cell is padded with one space on each side. A
 * title may have several lines; one wider than the columns widens the last column.
 * With colour, a cell that repeats the one above it in a leading column is dimmed.
 */
import { sgr } from "./terminal.js";

/** Renders a table with a title (one line, or several), a header row and data rows. */
export function renderTable(
  title: string | readonly string[],
  header: readonly string[],
  rows: readonly (readonly string[])[],
  color = false,
): string {
  const titles = typeof title === "string" ? [title] : title;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  let width = 1 + widths.reduce((sum, w) => sum + w + 3, 0);
  const titleWidth = Math.max(0, ...titles.map((t) => t.length + 4));
  if (titleWidth > width && widths.length > 0) {
    widths[widths.length - 1]! += titleWidth - width;
    width = titleWidth;
  }
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
    ...titles.map((t) => `│ ${t}${" ".repeat(Math.max(0, width - 4 - t.length))} │`),
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
