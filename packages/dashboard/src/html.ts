/**
 * The pieces every dashboard page is made of: escaping, the page frame, cards, tables, ages.
 * Every value that reaches the HTML goes through escapeHtml. Pages carry no inline script or
 * style (the Content-Security-Policy forbids both): the stylesheet and the script are assets, and
 * what the script needs to know sits in data- attributes.
 *
 * A card's content sits in an element with `data-card="<name>"`; live updates replace exactly
 * that element's content, so the card around it (and whether it is open) stays as the user left it.
 */
import { createHash } from "node:crypto";
import { formatAge } from "@weaver/runtime";

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

/** The tabs of a deployment's pages. */
export const TABS = [
  { path: "/deployment", title: "Overview" },
  { path: "/logs", title: "Logs" },
  { path: "/traces", title: "Traces" },
  { path: "/metrics", title: "Metrics" },
] as const;

/** What a page is made of. */
export interface PageParts {
  readonly title: string;
  /** The deployer whose deployments the dashboard shows. */
  readonly deployer: string;
  readonly body: string;
  /** The deployment whose pages the tabs lead to, and the tab shown. */
  readonly tabs?: { readonly id: string; readonly app: string; readonly active: string };
}

/** A whole page: the header (home link, live state), the tabs when given, the body. */
export function page(parts: PageParts): string {
  const tabs =
    parts.tabs === undefined
      ? ""
      : `<nav class="tabs"><span class="tab-app">${escapeHtml(parts.tabs.app)} <code>${escapeHtml(parts.tabs.id.slice(0, 8))}</code></span>` +
        TABS.map(
          (t) =>
            `<a href="${t.path}?id=${escapeHtml(encodeURIComponent(parts.tabs!.id))}"${t.path === parts.tabs!.active ? ` class="active" aria-current="page"` : ""}>${t.title}</a>`,
        ).join("") +
        `</nav>\n`;
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(parts.title)}</title>\n` +
    `<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">\n` +
    `<link rel="stylesheet" href="/assets/dashboard.css">\n` +
    `<script type="module" src="/assets/dashboard.js"></script>\n</head>\n<body>\n` +
    `<header><a href="/">Weaver dashboard</a><span class="deployer">${escapeHtml(parts.deployer)}</span>` +
    `<span id="live-state" class="live-state" title="Pages update themselves while this says live">connecting…</span></header>\n` +
    `${tabs}<main>\n${parts.body}</main>\n</body>\n</html>\n`
  );
}

/**
 * A short digest of a card's HTML: the page's script skips an update that carries the digest it
 * has. Ages are left out (the script keeps them counting), so a card whose only change is that
 * time passed is not sent again.
 */
export function cardHash(html: string): string {
  return createHash("sha1")
    .update(html.replace(/(<time data-since="\d+"[^>]*>)[^<]*<\/time>/g, "$1</time>"))
    .digest("base64url")
    .slice(0, 12);
}

/** A titled card whose content live updates may replace; `collapsed` makes it a closed <details>. */
export function card(name: string, title: string, content: string, options: { collapsed?: boolean; note?: string } = {}): string {
  const note = options.note === undefined ? "" : ` <span class="note">${escapeHtml(options.note)}</span>`;
  const inner = `<div data-card="${escapeHtml(name)}" data-hash="${cardHash(content)}">\n${content}</div>\n`;
  if (options.collapsed === true) {
    return `<details class="card" id="${escapeHtml(name)}">\n<summary><h2>${escapeHtml(title)}${note}</h2></summary>\n${inner}</details>\n`;
  }
  return `<section class="card" id="${escapeHtml(name)}">\n<h2>${escapeHtml(title)}${note}</h2>\n${inner}</section>\n`;
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

/** The age of something that started at `started` (ms since the epoch); the page's script keeps it counting. */
export function age(started: number, now: number): Html {
  return raw(`<time data-since="${started}" datetime="${new Date(started).toISOString()}">${escapeHtml(formatAge(now - started))}</time>`);
}

/** A command shown with a button that copies it. */
export function copyable(command: string): Html {
  return raw(
    `<span class="copyable"><code>${escapeHtml(command)}</code><button type="button" class="copy" data-copy="${escapeHtml(command)}">Copy</button></span>`,
  );
}

/** A time in microseconds since the epoch as local HH:MM:SS.mmm. */
export function clock(micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function cell(c: Cell): string {
  return typeof c === "object" ? c.html : escapeHtml(String(c));
}
