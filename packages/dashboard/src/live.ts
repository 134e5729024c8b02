/**
 * Live pages over WebSocket. A page's script connects to `/live<page path>?<page query>` (the
 * deployment page /deployment?id=x connects to /live/deployment?id=x); the server then sends JSON
 * messages until either side closes:
 *
 *   {t: "cards", cards: {<name>: {html, hash}}}   cards whose HTML changed since the last message
 *                                                 (all of them first); the script replaces the
 *                                                 content of [data-card=<name>] unless its
 *                                                 data-hash is that hash already
 *   {t: "logs", html, next, missed}               new log rows (views that stream)
 *   {t: "gone", message}                          what the page shows is not there any more
 *   {t: "ended", message}                         what the page shows will not change (an ended
 *                                                 deployment); the connection then closes
 *   {t: "error", message}                         a status server failed; updates go on
 *
 * Cards are reloaded every REFRESH_MS; a streaming view loads its data once and then streams, and
 * closes the connection when its stream fails (the page reconnects, saying where it stopped).
 * The page sends nothing. Handshakes go through the dashboard's requestGuard: another Host name or
 * another origin is refused (a web page elsewhere must not read the dashboard through the
 * visitor's browser).
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocketServer, type WebSocket } from "ws";
import type { DashboardData } from "./dashboard-data.js";
import { cardHash } from "./html.js";
import { isMissing, type StreamMessage, type View, type ViewContext } from "./views/view.js";

/** How often live cards are reloaded. */
export const REFRESH_MS = 1_000;

/** The path prefix of live connections. */
export const LIVE_PREFIX = "/live";

/** Serves live connections on `server` for the pages of `views`; `allowed` vets each handshake (Host, Origin). */
export function serveLive(
  server: Server,
  views: ReadonlyMap<string, View<unknown>>,
  data: DashboardData,
  allowed: (req: IncomingMessage) => boolean,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const view = url.pathname.startsWith(`${LIVE_PREFIX}/`) ? views.get(url.pathname.slice(LIVE_PREFIX.length)) : undefined;
    if (view === undefined || !allowed(req)) {
      socket.end(`HTTP/1.1 ${view === undefined ? "404 Not Found" : "403 Forbidden"}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void run(ws, view, { data, params: url.searchParams }));
  });
  return wss;
}

async function run(ws: WebSocket, view: View<unknown>, ctx: ViewContext): Promise<void> {
  const closed = new AbortController();
  ws.once("close", () => closed.abort());
  const send = (m: StreamMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const sent = new Map<string, string>();
  while (!closed.signal.aborted) {
    let data: unknown;
    try {
      data = await view.load(ctx);
    } catch (e) {
      send({ t: "error", message: (e as Error).message });
      data = undefined;
    }
    if (isMissing(data)) {
      send({ t: "gone", message: data.missing });
      ws.close(1000);
      return;
    }
    if (data !== undefined) {
      const cards: Record<string, { html: string; hash: string }> = {};
      for (const [name, html] of Object.entries(view.cards(data, ctx))) {
        const hash = cardHash(html);
        if (sent.get(name) !== hash) cards[name] = { html, hash };
        sent.set(name, hash);
      }
      if (Object.keys(cards).length > 0) send({ t: "cards", cards });
      const ended = view.ended?.(data);
      if (ended !== undefined) {
        send({ t: "ended", message: ended });
        ws.close(1000);
        return;
      }
      if (view.stream !== undefined) {
        // A stream that fails ends the connection; the page reconnects, saying where it stopped.
        await view.stream(data, ctx, send, closed.signal).catch((e: unknown) => send({ t: "error", message: (e as Error).message }));
        ws.close(1011);
        return;
      }
    }
    await sleep(REFRESH_MS, undefined, { signal: closed.signal }).catch(() => {});
  }
}
