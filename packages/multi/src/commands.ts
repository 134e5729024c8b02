/**
 * `weaver multi`: the multi-process deployer's commands. `deploy` is its own; status, logs,
 * metrics, profile, purge and dashboard are the deployer API's commands, mounted under its name.
 */
import type { Command } from "commander";
import { ExitStatus, newCommand, newGroup, toolCommands } from "@weaver/runtime/tool";
import { multiDeploy } from "./deploy.js";
import { DEPLOYER } from "./deployer-name.js";

/** Creates the `weaver multi deploy` command. */
function deployCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "deploy"],
    summary: "Deploy a Weaver app as replicated processes",
    usage: "<config>",
    description:
      "Runs every component group of the app named by [serviceweaver] binary as its own " +
      "processes (2 replicas each unless [multi] replicas says otherwise), calling each other over " +
      "RPC, with a proxy in front of each listener. Replicas that die or stop answering health " +
      "checks are restarted. Stays in the foreground printing the app's logs; Ctrl-C drains and " +
      "stops everything.",
    examples: [
      { comment: "Deploy the app that weaver.toml names.", command: "weaver multi deploy weaver.toml" },
      { comment: "In another terminal: see its processes.", command: "weaver multi status" },
    ],
  })
    .argument("<config>", "the app's weaver.toml")
    .action(async (file: string) => {
      const code = await multiDeploy(file);
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** Creates the `weaver multi` command group; its sub-commands are listed alphabetically, as Go's. */
export function multiCommand(): Command {
  const commands = [deployCommand(), ...toolCommands({ deployer: DEPLOYER, kind: "multi-process" })];
  return newGroup(
    {
      path: [DEPLOYER],
      summary: "for multiprocess deployments",
      description: "Deploy and manage Weaver apps that run as many replicated processes on this machine.",
      examples: [
        {
          comment: "Run each component of the app that weaver.toml names in its own processes.",
          command: "weaver multi deploy weaver.toml",
        },
        { comment: "Show the running deployments, their processes and listeners.", command: "weaver multi status" },
        { comment: "Follow the logs of every deployment.", command: "weaver multi logs --follow" },
        { comment: "Show the calls of each component method.", command: "weaver multi metrics weaver_method_count" },
        { comment: "Serve a web dashboard of the running deployments.", command: "weaver multi dashboard" },
        {
          comment: "Profile the CPU of a deployment for 30 seconds and open the profile in VS Code.",
          command: "code $(weaver multi profile 6b28)",
        },
        { comment: "Show the help of a sub-command.", command: "weaver multi help logs" },
      ],
    },
    commands.sort((a, b) => (a.name() < b.name() ? -1 : 1)),
  );
}
