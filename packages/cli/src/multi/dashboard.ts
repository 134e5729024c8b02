/**
 * `weaver multi dashboard` (and `weaver single dashboard`): serves the dashboard of the running
 * deployments on 127.0.0.1 (a free port unless --port says otherwise), prints its URL on stderr
 * as Service Weaver does, and keeps serving until interrupted.
 */
import type { Command } from "commander";
import { startDashboard } from "@weaver/dashboard";
import { newCommand } from "../command.js";
import { UsageError } from "../errors.js";

/** Creates the `weaver multi dashboard` command, or `weaver single dashboard` for single-process deployments. */
export function dashboardCommand(deployer: "multi" | "single" = "multi"): Command {
  const kind = deployer === "multi" ? "multi-process" : "single-process";
  return newCommand({
    path: [deployer, "dashboard"],
    summary: "Inspect Weaver applications in a web browser",
    description:
      `Serves a web dashboard of the running ${kind} deployments of this user: for each, its ` +
      "listeners, the processes of each component group, per-method call statistics and the " +
      "commands that show its logs, metrics and profiles. Keeps serving until Ctrl-C.",
    examples: [
      { comment: "Serve the dashboard on a free port of 127.0.0.1.", command: `weaver ${deployer} dashboard` },
      { comment: "Serve it on a fixed port.", command: `weaver ${deployer} dashboard --port 9000` },
    ],
  })
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port to listen on (0 picks a free one)", "0")
    .action(async (options: { host: string; port: string }) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535) throw new UsageError(`invalid --port ${JSON.stringify(options.port)}: want a number from 0 to 65535`);
      const dashboard = await startDashboard({ deployer, host: options.host, port });
      process.stderr.write(`Dashboard available at: ${dashboard.url}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await dashboard.close();
    });
}
