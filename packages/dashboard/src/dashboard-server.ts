/**
 * The dashboard's HTTP server. Routes:
 *
 *   GET /                     the running deployments of the deployer (HTML)
 *   GET /deployment?id=<id>   one deployment: summary, components, methods, commands (HTML)
 *   GET /api/deployments      the data of the index, as JSON
 *   GET /api/deployment?id=   the data of one deployment, as JSON
 *
 * Every request gathers fresh data from the registry and the status servers. Pages load nothing
 * from elsewhere; the Content-Security-Policy header says so to the browser.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gatherDeployments, pickDeployment, type DashboardListing } from "./dashboard-data.js";
import { renderDeploymentPage, renderNotFoundPage } from "./deployment-page.js";
import { renderIndexPage } from "./index-page.js";

/** Options of startDashboard. */
export interface DashboardOptions {
  /** The deployer whose deployments are shown; "multi" by default. */
  readonly deployer?: string;
  /** The address to listen on; 127.0.0.1 by default. */
  readonly host?: string;
  /** The port to listen on; 0 (any free port) by default. */
  readonly port?: number;
  /** Gathers the data shown (tests replace it); gatherDeployments by default. */
  readonly gather?: (deployer: string) => Promise<DashboardListing>;
}

/** A running dashboard. */
export interface Dashboard {
  /** The base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Starts a dashboard server and resolves once it listens. */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const deployer = options.deployer ?? "multi";
  const gather = options.gather ?? gatherDeployments;
  const server = createServer((req, res) => {
    handle(deployer, gather, req, res).catch((e: unknown) => reply(res, 500, "text/plain; charset=utf-8", `dashboard error: ${(e as Error).message}\n`));
  });
  await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  const { address, port, family } = server.address() as AddressInfo;
  const host = family === "IPv6" ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(deployer: string, gather: (deployer: string) => Promise<DashboardListing>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://dashboard");
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "text/plain; charset=utf-8", "only GET is supported\n");
  const id = url.searchParams.get("id") ?? "";
  switch (url.pathname) {
    case "/":
      return reply(res, 200, HTML, renderIndexPage(await gather(deployer)));
    case "/api/deployments":
      return reply(res, 200, JSON_TYPE, JSON.stringify(await gather(deployer)));
    case "/deployment": {
      const listing = await gather(deployer);
      const found = pickDeployment(listing, id);
      if (found === undefined) return reply(res, 404, HTML, renderNotFoundPage(deployer, id));
      return reply(res, 200, HTML, renderDeploymentPage(deployer, found, listing.now));
    }
    case "/api/deployment": {
      const found = pickDeployment(await gather(deployer), id);
      if (found === undefined) return reply(res, 404, JSON_TYPE, JSON.stringify({ error: `no running ${deployer} deployment has the id ${JSON.stringify(id)}` }));
      return reply(res, 200, JSON_TYPE, JSON.stringify(found));
    }
    default:
      return reply(res, 404, "text/plain; charset=utf-8", "not found\n");
  }
}

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

function reply(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { "content-type": type, "content-security-policy": CSP, "cache-control": "no-store" });
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
