/**
 * `weaver single`: the single-process deployer's commands. `deploy` is its own (deploy.ts);
 * status, logs, metrics, profile, purge and dashboard are the deployer API's commands, mounted
 * under its name.
 */
import type { Command } from "commander";
import { newGroup, toolCommands } from "@weaver/runtime/tool";
import { deployCommand } from "./deploy.js";

/** Creates the `weaver single` command group; its sub-commands are listed alphabetically. */
export function singleCommand(): Command {
  const commands = [deployCommand(), ...toolCommands({ deployer: "single", kind: "single-process" })];
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
    commands.sort((a, b) => (a.name() < b.name() ? -1 : 1)),
  );
}
