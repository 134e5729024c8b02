/**
 * `weaver <deployer> status`: the DEPLOYMENTS, COMPONENTS and LISTENERS tables of the running
 * deployments of a deployer, or their statuses as JSON. Listing deletes the registrations of deployments that
 * are gone (see listDeployments).
 *
 * With nothing running, the three tables are printed empty (as Service Weaver does, so that the
 * output's shape never changes for scripts) and a one-line note on stderr says how to start a
 * deployment. A deployment whose status cannot be read is left out of the tables with a warning on
 * stderr; the command still succeeds, since the tables are right about everything else.
 */
import type { Command } from "commander";
import { colorEnabled } from "../output/terminal.js";
import { formatStatusTables, sortStatuses } from "./status-tables.js";
import { listDeployments, type DeploymentListing } from "../deployments/deployment-list.js";
import { newCommand } from "./command.js";
import { startHint, type ToolSpec } from "./spec.js";
import { printError } from "./errors.js";

/** Creates the `weaver <deployer> status` command. */
export function statusCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "status"],
    summary: "Show the status of running Weaver deployments",
    description:
      `Prints three tables about the running ${kind} deployments of this user: DEPLOYMENTS ` +
      "(app, deployment id, age), COMPONENTS (the processes that run each component) and " +
      "LISTENERS (the address clients use for each listener). Deployments are sorted by app, then by " +
      "start time. With --json, prints every deployment's full status instead.",
    examples: [
      { comment: "Show the running deployments, their processes and listeners.", command: `weaver ${deployer} status` },
      {
        comment: "Print the listener addresses of the app hello, as a script would read them.",
        command: `weaver ${deployer} status --json | jq -r '.[] | select(.app == "hello") | .listeners[].address'`,
      },
    ],
  })
    .option("--json", "print the status of every running deployment as a JSON array")
    .action(async (options: { json?: boolean }) => {
      const listing = await listDeployments({ deployer });
      warnUnreachable(listing);
      const statuses = sortStatuses(listing.running.map((d) => d.status));
      if (options.json === true) {
        process.stdout.write(JSON.stringify(statuses, null, 2) + "\n");
        return;
      }
      if (statuses.length === 0) {
        process.stderr.write(`${startHint(spec)}\n`);
      }
      process.stdout.write(formatStatusTables(statuses, Date.now(), colorEnabled(process.stdout)));
    });
}

/** Tells, on stderr, about each registered deployment whose status could not be read. */
function warnUnreachable(listing: DeploymentListing): void {
  for (const { registration: r, reason } of listing.unreachable) {
    printError(
      `cannot read the status of deployment ${r.deployment} of ${r.app} (deployer pid ${r.pid}): ${reason}; ` +
        `it is left out. If that deployer hangs, stop it with \`kill ${r.pid}\`.`,
    );
  }
}
