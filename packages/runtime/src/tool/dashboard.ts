/**
 * `weaver <deployer> dashboard`: serves the dashboard of the running deployments (of every
 * deployer, this one's first) on 127.0.0.1 (a free port unless --port says otherwise), prints its URL on stderr
 * as Service Weaver does, opens it in the default browser (unless --no-open, or there is none),
 * and keeps serving until interrupted.
 */
import type { Command } from "commander";
import { newCommand } from "./command.js";
import type { ToolSpec } from "./spec.js";
import { UsageError } from "./errors.js";

/** Options of the dashboard's server. */
export interface DashboardOptions {
  /** The deployer whose command serves it; its deployments come first and its commands are shown. */
  readonly deployer: string;
  /** The address to listen on (127.0.0.1 by default). */
  readonly host?: string;
  /** The port (0, the default, picks a free one). */
  readonly port?: number;
}

/** A running dashboard server. */
export interface Dashboard {
  /** Its base URL, e.g. http://127.0.0.1:40263. */
  readonly url: string;
  /** The URL to print and open: the base URL, with the access token when the dashboard requires one. */
  readonly link?: string;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * What the package @weaver/dashboard provides. The command loads it only when it runs, so that
 * the deployer API does not depend on the dashboard (which depends on the deployer API), and every
 * other command starts faster; the package checks its exports against this type.
 */
export interface DashboardModule {
  startDashboard(options: DashboardOptions): Promise<Dashboard>;
  openBrowser(url: string): void;
}

/** The package that serves the dashboard. */
const DASHBOARD_PACKAGE = "@weaver/dashboard";

async function loadDashboard(): Promise<DashboardModule> {
  const name: string = DASHBOARD_PACKAGE;
  try {
    return (await import(name)) as DashboardModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" || !String((e as Error).message).includes(DASHBOARD_PACKAGE)) throw e;
    throw new UsageError(
      `the dashboard is the package ${DASHBOARD_PACKAGE}, which is not installed: install it (npm install --save-dev ${DASHBOARD_PACKAGE}) beside the weaver command`,
    );
  }
}

/** Creates the `weaver <deployer> dashboard` command. */
export function dashboardCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "dashboard"],
    summary: "Inspect Weaver applications in a web browser",
    description:
      `Serves a web dashboard of the running deployments of this user (of every deployer, the ${kind} ones first) and opens it in the ` +
      "default browser: for each deployment, its listeners, the processes of each component group " +
      "and their health, the traffic between components, per-method call statistics, its logs " +
      `(live, with the query language of \`weaver ${deployer} logs\`), traces and metrics. Pages update ` +
      "themselves; nothing is loaded from the network. Keeps serving until Ctrl-C.",
    examples: [
      { comment: "Serve the dashboard on a free port of 127.0.0.1 and open it.", command: `weaver ${deployer} dashboard` },
      { comment: "Serve it on a fixed port, without opening a browser.", command: `weaver ${deployer} dashboard --port 9000 --no-open` },
    ],
  })
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port to listen on (0 picks a free one)", "0")
    .option("--no-open", "only print the URL; do not open a browser")
    .action(async (options: { host: string; port: string; open: boolean }) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535)
        throw new UsageError(`invalid --port ${JSON.stringify(options.port)}: want a number from 0 to 65535`);
      const { openBrowser, startDashboard } = await loadDashboard();
      const dashboard = await startDashboard({ deployer, host: options.host, port });
      process.stderr.write(`Dashboard available at: ${dashboard.link ?? dashboard.url}\n`);
      if (options.open) openBrowser(dashboard.link ?? dashboard.url);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await dashboard.close();
    });
}
