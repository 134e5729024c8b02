/**
 * `weaver multi dashboard` (and `weaver single dashboard`): serves the dashboard of the running
 * deployments on 127.0.0.1 (a free port unless --port says otherwise), prints its URL on stderr
 * as Service Weaver does, opens it in the default browser (unless --no-open, or there is none),
 * and keeps serving until interrupted.
 */
import type { Command } from "commander";
import { newCommand } from "../command.js";
import { UsageError } from "../errors.js";

/** Creates the `weaver multi dashboard` command, or `weaver single dashboard` for single-process deployments. */
export function dashboardCommand(deployer: "multi" | "single" = "multi"): Command {
  const kind = deployer === "multi" ? "multi-process" : "single-process";
  return newCommand({
    path: [deployer, "dashboard"],
    summary: "Inspect Weaver applications in a web browser",
    description:
      `Serves a web dashboard of the running ${kind} deployments of this user and opens it in the ` +
      "default browser: for each deployment, its listeners, the processes of each component group " +
      "and their health, the traffic between components, per-method call statistics, its logs " +
      "(live, with the query language of `weaver multi logs`), traces and metrics. Pages update " +
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
      if (!/^\d+$/.test(options.port) || port > 65535) throw new UsageError(`invalid --port ${JSON.stringify(options.port)}: want a number from 0 to 65535`);
      // Loaded here, not at the top: every other weaver command starts faster without it.
      const { openBrowser, startDashboard } = await import("@weaver/dashboard");
      const dashboard = await startDashboard({ deployer, host: options.host, port });
      process.stderr.write(`Dashboard available at: ${dashboard.url}\n`);
      if (options.open) openBrowser(dashboard.url);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await dashboard.close();
    });
}
