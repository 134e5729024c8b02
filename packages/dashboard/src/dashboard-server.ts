/**
 * The dashboard's HTTP server. Routes:
 *
 *   GET /                          the running deployments of every deployer, then the ended ones
 *   GET /deployment?id=<id>        one deployment: summary, components, traffic, methods, config, commands;
 *                                  for one that ended (as every page of it), its stored logs and traces
 *   GET /logs?id=<id>&q=<query>    its log entries, live
 *   GET /traces?id=<id>&bucket=    its traces by latency bucket or errors
 *   GET /trace?id=<id>&trace=<t>   one trace as a waterfall
 *   GET /metrics?id=<id>&filter=   its metrics
 *   GET /api/deployments           the data of the index, as JSON
 *   GET /api/deployment?id=<id>    a deployment's status and statistics, as JSON
 *   GET /assets/<file>             the stylesheet, the scripts and the icon
 *   WebSocket /live<page>?<query>  live updates of a page (live.ts)
 *
 * `id` may be an unambiguous prefix of a deployment id. Pages load nothing from elsewhere and run
 * no inline code; the Content-Security-Policy header holds the browser to that. Requests are
 * vetted by requestGuard of @weaver/runtime, as the status servers' are: when listening on a
 * loopback address, they must name the server by a loopback name (a DNS-rebinding page elsewhere
 * cannot reach it through the visitor's browser), and none may come from another web origin.
 * Listening on any other address (or with WEAVER_DASHBOARD_TOKEN=1), it requires an access token
 * too (access-token.ts). Status server tokens never leave: /api/deployments shows registrations
 * without them.
 */
import { isLoopback, requestGuard, type RunningDeployment } from "@weaver/runtime";
import type { Dashboard, DashboardOptions } from "@weaver/runtime/tool";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DASHBOARD_TOKEN_ENV, accessGate } from "./access-token.js";
import { DashboardData } from "./dashboard-data.js";
import { card, empty, page } from "./html.js";
import { serveLive } from "./live.js";
import { deploymentView } from "./views/deployment-view.js";
import { indexView } from "./views/index-view.js";
import { logsView } from "./views/logs-view.js";
import { metricsView } from "./views/metrics-view.js";
import { orPast } from "./views/past-view.js";
import { traceView } from "./views/trace-view.js";
import { tracesView } from "./views/traces-view.js";
import { isMissing, type View, type ViewContext } from "./views/view.js";

/** The pages, by path; those of a deployment show its stored logs and traces once it has ended. */
const VIEWS: ReadonlyMap<string, View<unknown>> = new Map<string, View<never>>([
  ["/", indexView],
  ["/deployment", orPast(deploymentView)],
  ["/logs", orPast(logsView)],
  ["/traces", orPast(tracesView)],
  ["/trace", orPast(traceView)],
  ["/metrics", orPast(metricsView)],
] as [string, View<never>][]) as ReadonlyMap<string, View<unknown>>;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";
const TEXT = "text/plain; charset=utf-8";

/**
 * The assets, read once: the stylesheet and icon from assets/, the script as tsc built it, and
 * re2js (the RE2 engine the script filters metric names with, in linear time) from its package.
 */
const ASSETS: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }> = new Map([
  ["/assets/dashboard.css", { type: "text/css; charset=utf-8", body: readFileSync(new URL("../assets/dashboard.css", import.meta.url)) }],
  ["/assets/favicon.svg", { type: "image/svg+xml", body: readFileSync(new URL("../assets/favicon.svg", import.meta.url)) }],
  [
    "/assets/dashboard.js",
    { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("../dist/client/dashboard.js", import.meta.url)) },
  ],
  ["/assets/re2js.js", { type: "text/javascript; charset=utf-8", body: readFileSync(new URL(import.meta.resolve("re2js"))) }],
]);

/**
 * Starts a dashboard server and resolves once it listens. It shows the deployments of every
 * deployer, those of `options.deployer` (the deployer whose command serves it) first.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const data = new DashboardData(options.deployer);
  const host = options.host ?? "127.0.0.1";
  const guard = requestGuard({ what: "the dashboard", host });
  const gate = accessGate(!isLoopback(host) || process.env[DASHBOARD_TOKEN_ENV] === "1");
  const server = createServer((req, res) => {
    const refused = guard(req);
    if (refused !== undefined) return reply(res, refused.status, TEXT, `${refused.message}\n`);
    if (!gate.admit(req, res)) return;
    handle(data, req, res).catch((e: unknown) => reply(res, 500, TEXT, `dashboard error: ${(e as Error).message}\n`));
  });
  const live = serveLive(server, VIEWS, data, (req) => guard(req) === undefined && gate.carriesCookie(req));
  await listen(server, host, options.port ?? 0);
  const { address, port, family } = server.address() as AddressInfo;
  const url = `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
  return {
    url,
    link: gate.token === undefined ? url : `${url}/?token=${gate.token}`,
    close: () =>
      new Promise((resolve) => {
        for (const ws of live.clients) ws.terminate();
        live.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(data: DashboardData, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://dashboard");
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, TEXT, "only GET is supported\n");
  const asset = ASSETS.get(url.pathname);
  if (asset !== undefined) return reply(res, 200, asset.type, asset.body);
  const view = VIEWS.get(url.pathname);
  if (view !== undefined) return renderView(view, { data, params: url.searchParams }, res);
  switch (url.pathname) {
    case "/api/deployments": {
      const listing = await data.listing();
      const deployments = listing.deployments.map(withoutToken);
      const unreachable = listing.unreachable.map(withoutToken);
      return reply(res, 200, JSON_TYPE, JSON.stringify({ ...listing, deployments, unreachable }));
    }
    case "/api/deployment": {
      const id = url.searchParams.get("id") ?? "";
      const d = await data.deployment(id);
      if (d === undefined)
        return reply(
          res,
          404,
          JSON_TYPE,
          JSON.stringify({ error: `no running ${data.deployer} deployment has the id ${JSON.stringify(id)}` }),
        );
      return reply(res, 200, JSON_TYPE, JSON.stringify({ status: d.status, stats: await data.stats(d).catch(() => null) }));
    }
    default:
      return reply(res, 404, HTML, notFound(data.deployer, `There is no page ${url.pathname}.`));
  }
}

async function renderView(view: View<unknown>, ctx: ViewContext, res: ServerResponse): Promise<void> {
  const loaded = await view.load(ctx);
  if (isMissing(loaded)) return reply(res, 404, HTML, notFound(ctx.data.deployer, loaded.missing));
  reply(res, 200, HTML, page(view.page(loaded, view.cards(loaded, ctx), ctx)));
}

function notFound(deployer: string, message: string): string {
  return page({
    title: "Not found",
    deployer,
    body: card("missing", "Not found", empty(message) + `<p><a href="/">All deployments</a></p>\n`),
  });
}

/** A deployment as the dashboard shows it: its registration without the status server's token. */
function withoutToken<T extends Pick<RunningDeployment, "registration">>(d: T): T {
  const { token: _, ...registration } = d.registration;
  return { ...d, registration };
}

function reply(res: ServerResponse, code: number, type: string, body: string | Buffer): void {
  res.writeHead(code, {
    "content-type": type,
    "content-security-policy": CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
