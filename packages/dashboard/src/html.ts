/**
 * The pieces every dashboard page is made of: escaping, the page frame with its inline
 * stylesheet, cards and tables. Every value that reaches the HTML goes through escapeHtml.
 */

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** HTML that is already escaped, as opposed to a plain string, which table cells escape. */
export interface Html {
  readonly html: string;
}

/** Marks a string as HTML that needs no escaping. */
export function raw(html: string): Html {
  return { html };
}

/** A table cell: plain text (escaped) or HTML. */
export type Cell = string | number | Html;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1f2328; }
header { background: #2d3a4a; color: #fff; padding: 0.6em 1.2em; font-size: 1.2em; }
header a { color: #fff; text-decoration: none; }
main { max-width: 72em; margin: 1em auto; padding: 0 1em; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin-bottom: 1em; padding: 0.6em 1em 1em; }
h2 { font-size: 1.05em; margin: 0.4em 0 0.6em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.92em; }
pre { background: #f6f8fa; padding: 0.4em 0.6em; margin: 0.3em 0; overflow-x: auto; user-select: all; }
p.empty { color: #59636e; }
`;

/** A whole page: the title, a header linking to the index, and the body. */
export function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<header><a href="/">Weaver dashboard</a></header>\n<main>\n${body}</main>\n</body>\n</html>\n`
  );
}

/** A titled card. */
export function card(title: string, content: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${content}</section>\n`;
}

/** A table; header and cells are escaped unless given as Html; `numeric` columns are right-aligned. */
export function table(header: readonly Cell[], rows: readonly (readonly Cell[])[], numeric: ReadonlySet<number> = new Set()): string {
  const cls = (i: number): string => (numeric.has(i) ? ` class="num"` : "");
  const head = `<tr>${header.map((h, i) => `<th${cls(i)}>${cell(h)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${cell(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>\n`;
}

/** A paragraph shown in place of an empty table. */
export function empty(text: string): string {
  return `<p class="empty">${escapeHtml(text)}</p>\n`;
}

function cell(c: Cell): string {
  return typeof c === "object" ? c.html : escapeHtml(String(c));
}
