/**
 * `weaver single`: the single-process deployer. Each sub-command lives in a file of its own in
 * this folder and is listed in SINGLE_COMMANDS.
 */
import type { Command } from "commander";
import { newGroup } from "../command.js";
import { dashboardCommand } from "../multi/dashboard.js";
import { metricsCommand } from "../multi/metrics.js";
import { statusCommand } from "../multi/status.js";
import { deployCommand } from "./deploy.js";

/** The factories of the `weaver single` sub-commands, in help order (alphabetical). */
export const SINGLE_COMMANDS: readonly (() => Command)[] = [() => dashboardCommand("single"), deployCommand, () => metricsCommand("single"), () => statusCommand("single")];

/** Creates the `weaver single` command group. */
export function singleCommand(): Command {
  return newGroup(
    {
      path: ["single"],
      summary: "for single process deployments",
      description: "Deploy and manage Weaver apps that run as one process.",
      examples: [
        { comment: "Run the app that weaver.toml names, in one process.", command: "weaver single deploy weaver.toml" },
        { comment: "Show the running single-process deployments and their listeners.", command: "weaver single status" },
        { comment: "Show the help of a sub-command.", command: "weaver single help deploy" },
      ],
    },
    SINGLE_COMMANDS.map((create) => create()),
  );
}
