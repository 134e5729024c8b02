/**
 * The Logs page: the deployment's recent log entries that match a query of the log language, then
 * every new one as it is written (the status server's GET /logs, long-polled for the page). The
 * page's script appends what arrives, keeps the newest at the bottom in view, and can pause.
 */
import { compileLogQuery, type LogEntry, type LogsReply, type RunningDeployment } from "@weaver/runtime";
import { card, clock, escapeHtml } from "../html.js";
import { isMissing, pageDeployment, type StreamMessage, type View, type ViewContext } from "./view.js";

/** Entries the page starts with. */
export const INITIAL_ENTRIES = 500;

/** How long one long poll of the status server waits for new entries. */
const POLL_WAIT_MS = 20_000;

/** What the logs page shows. */
export interface LogsData {
  readonly deployment: RunningDeployment;
  readonly query: string;
  /** The entries to start with, or why the query was refused. */
  readonly first: LogsReply | { readonly error: string };
}

/** The logs view. */
export const logsView: View<LogsData> = {
  async load(ctx) {
    const deployment = await pageDeployment(ctx);
    if (isMissing(deployment)) return deployment;
    const query = ctx.params.get("q") ?? "";
    try {
      compileLogQuery(query);
    } catch (e) {
      return { deployment, query, first: { error: (e as Error).message } };
    }
    // A live connection says where its page stopped (`after`): it needs no entries to start with.
    const after = Number(ctx.params.get("after") ?? "");
    if (ctx.params.has("after") && Number.isInteger(after) && after >= 0)
      return { deployment, query, first: { entries: [], next: after, missed: 0 } };
    return { deployment, query, first: await ctx.data.logs(deployment, query, { limit: INITIAL_ENTRIES }) };
  },
  cards: () => ({}),
  page: ({ deployment: { status: s, registration }, query, first }) => {
    const deployer = registration.deployer;
    const rows = "error" in first ? "" : first.entries.map(logRow).join("\n");
    const state =
      "error" in first
        ? `<p class="error" role="alert">${escapeHtml(first.error)}</p>\n`
        : `<p class="muted" id="log-empty"${first.entries.length > 0 ? " hidden" : ""}>No log entries${query === "" ? "" : " match this query"} yet; new ones appear here as they are written.` +
          `${deployer === "single" ? " A single process shows what its components log with this.logger (the level is info unless WEAVER_LOG_LEVEL says otherwise)." : ""}</p>\n`;
    const form =
      `<form class="log-query" method="get" action="/logs"><input type="hidden" name="id" value="${escapeHtml(s.deployment)}">` +
      `<input type="search" name="q" value="${escapeHtml(query)}" placeholder='level == "error" &amp;&amp; msg.contains("timeout")' aria-label="Log query" spellcheck="false">` +
      `<button type="submit">Apply</button></form>\n` +
      `<p class="muted help">Queries: <code>level == "error"</code>, <code>component == "reverser.Reverser"</code>, <code>msg.contains("listener")</code>, ` +
      `<code>attrs["user"] == "ada"</code>, joined with <code>&amp;&amp;</code>, <code>||</code>, <code>!</code>. The page keeps the newest entries; ` +
      `<code>weaver ${escapeHtml(deployer)} logs</code> reads all of them.</p>\n`;
    const toolbar =
      `<div class="toolbar"><button type="button" id="log-pause" aria-pressed="false">Pause</button>` +
      `<span id="log-count" class="muted"></span></div>\n`;
    const next = "error" in first ? "" : ` data-next="${first.next}"`;
    const body =
      form +
      toolbar +
      state +
      `<div class="log-scroll" id="log-scroll"><table class="logs"${next}><thead><tr><th>Time</th><th>Level</th><th>Component</th><th>Replica</th><th>Source</th><th>Message</th></tr></thead>` +
      `<tbody id="log-rows">\n${rows}\n</tbody></table></div>\n`;
    return {
      title: `Logs · ${s.app} ${s.deployment.slice(0, 8)}`,
      deployer,
      tabs: { id: s.deployment, app: s.app, active: "/logs" },
      body: card("logs", "Logs", body),
    };
  },
  async stream({ deployment, query, first }, ctx: ViewContext, send: (m: StreamMessage) => void, signal: AbortSignal) {
    if ("error" in first) return;
    let next = first.next;
    while (!signal.aborted) {
      let reply: LogsReply;
      try {
        reply = await ctx.data.logs(deployment, query, { after: next, waitMs: POLL_WAIT_MS, signal });
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      next = reply.next;
      if (reply.entries.length > 0 || reply.missed > 0)
        send({ t: "logs", html: reply.entries.map(logRow).join("\n"), next, missed: reply.missed });
    }
  },
};

/** One entry as a table row. */
export function logRow(e: LogEntry): string {
  const attrs = Object.keys(e.attrs)
    .sort()
    .map((k) => ` <span class="attr">${escapeHtml(k)}=<b>${escapeHtml(JSON.stringify(e.attrs[k]))}</b></span>`)
    .join("");
  const source = e.file === "" ? "" : `${e.file}${e.line >= 0 ? `:${e.line}` : ""}`;
  const level = escapeHtml(e.level);
  return (
    `<tr class="lvl-${level}"><td class="time" title="${new Date(Math.floor(e.time / 1000)).toISOString()}">${clock(e.time)}</td><td><span class="level">${level}</span></td>` +
    `<td>${escapeHtml(e.component)}</td><td><code>${escapeHtml(e.node.slice(0, 8))}</code></td><td class="muted">${escapeHtml(source)}</td>` +
    `<td class="msg">${escapeHtml(e.msg)}${attrs}</td></tr>`
  );
}
