/**
 * `weaver multi`: the multi-process deployer. Each sub-command lives in a file of its own in this
 * folder and is listed in MULTI_COMMANDS.
 */
import type { Command } from "commander";
import { newGroup } from "../command.js";
import { dashboardCommand } from "./dashboard.js";
import { deployCommand } from "./deploy.js";
import { logsCommand } from "./logs.js";
import { metricsCommand } from "./metrics.js";
import { profileCommand } from "./profile.js";
import { purgeCommand } from "./purge.js";
import { statusCommand } from "./status.js";

/** The factories of the `weaver multi` sub-commands, in help order (alphabetical, as Go's). */
export const MULTI_COMMANDS: readonly (() => Command)[] = [() => dashboardCommand("multi"), deployCommand, logsCommand, metricsCommand, profileCommand, purgeCommand, statusCommand];

/** Creates the `weaver multi` command group. */
export function multiCommand(): Command {
  return newGroup(
    {
      path: ["multi"],
      summary: "for multiprocess deployments",
      description: "Deploy and manage Weaver apps that run as many replicated processes on this machine.",
      examples: [
        { comment: "Run each component of the app that weaver.toml names in its own processes.", command: "weaver multi deploy weaver.toml" },
        { comment: "Show the running deployments, their processes and listeners.", command: "weaver multi status" },
        { comment: "Follow the logs of every deployment.", command: "weaver multi logs --follow" },
        { comment: "Show the calls of each component method.", command: "weaver multi metrics weaver_method_count" },
        { comment: "Serve a web dashboard of the running deployments.", command: "weaver multi dashboard" },
        { comment: "Profile the CPU of a deployment for 30 seconds and open the profile in VS Code.", command: "code $(weaver multi profile 6b28)" },
        { comment: "Show the help of a sub-command.", command: "weaver multi help logs" },
      ],
    },
    MULTI_COMMANDS.map((create) => create()),
  );
}
