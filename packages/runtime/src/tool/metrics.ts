/**
 * `weaver <deployer> metrics [regex]`: the latest value of every metric of every running
 * deployment of a deployer, one table per metric (see formatMetricsTables), asked of each
 * deployment's status server (GET /metrics.json, which pulls every replica). A regular expression keeps the metrics
 * whose names it matches; one that does not compile is a usage mistake (status 2).
 *
 * With nothing running, a one-line note on stderr says how to start a deployment, as
 * `weaver <deployer> status` does. A deployment whose metrics cannot be read is left out with a warning
 * on stderr; the command still succeeds.
 */
import type { Command } from "commander";
import { colorEnabled } from "../output/terminal.js";
import type { ReplicaMetrics } from "../metrics/prometheus.js";
import { StatusClient } from "../deployments/status-client.js";
import { formatMetricsTables } from "./metrics-tables.js";
import { listDeployments } from "../deployments/deployment-list.js";
import { newCommand } from "./command.js";
import { startHint, type ToolSpec } from "./spec.js";
import { UsageError, printError } from "./errors.js";
import { compileLinearRegex, RegexSyntaxError, type LinearRegex } from "../logs/linear-regex.js";

/** Creates the `weaver <deployer> metrics` command. */
export function metricsCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "metrics"],
    summary: "Show the metrics of running Weaver deployments",
    usage: "[options] [regex]",
    description:
      `Prints the latest value of every metric of the running ${kind} deployments of this ` +
      "user: per metric its help, name and type, and a table with a row per label set and " +
      "replica. Counters and gauges show their Value; histograms their Average (sum / count) and " +
      "Count. App metrics come first, then Weaver's own (weaver_*). With a regular expression " +
      "(RE2 syntax: no backreferences or lookaround), only the metrics whose names it matches are shown.",
    examples: [
      { comment: "Show every metric.", command: `weaver ${deployer} metrics` },
      {
        comment: "Show the calls of each component method, per caller and replica.",
        command: `weaver ${deployer} metrics weaver_method_count`,
      },
      { comment: "Show the metrics whose names contain error.", command: `weaver ${deployer} metrics error` },
      { comment: "Show the metrics whose names contain error or latency.", command: `weaver ${deployer} metrics 'error|latency'` },
    ],
  })
    .argument("[regex]", "a regular expression; only metrics whose names it matches are shown")
    .action(async (regex: string | undefined) => {
      const match = compile(regex, deployer);
      const listing = await listDeployments({ deployer });
      for (const { registration: r, reason } of listing.unreachable) {
        printError(`cannot read deployment ${r.deployment} of ${r.app} (deployer pid ${r.pid}): ${reason}; it is left out.`);
      }
      if (listing.running.length === 0) {
        process.stderr.write(`${startHint(spec)}\n`);
        return;
      }
      const replicas: ReplicaMetrics[] = [];
      for (const { registration: r, result } of await Promise.all(
        listing.running.map(async ({ registration }) => ({
          registration,
          result: await StatusClient.of(registration)
            .metrics()
            .catch((e: Error) => e),
        })),
      )) {
        if (result instanceof Error)
          printError(`cannot read the metrics of deployment ${r.deployment} of ${r.app}: ${result.message}; it is left out.`);
        else replicas.push(...result);
      }
      process.stdout.write(formatMetricsTables(replicas, match, colorEnabled(process.stdout)));
    });
}

/** The name filter of a regular expression, turning a bad one into a usage error. */
function compile(regex: string | undefined, deployer: string): (name: string) => boolean {
  if (regex === undefined) return () => true;
  let re: LinearRegex;
  try {
    re = compileLinearRegex(regex);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new UsageError(
      `${JSON.stringify(regex)} is not a regular expression: ${e.message}\nSee "weaver ${deployer} metrics --help" for examples.`,
    );
  }
  return (name) => re.test(name);
}
