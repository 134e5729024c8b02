/**
 * `weaver multi`: the multi-process deployer's commands. `deploy` is its own; status, logs,
 * metrics, profile, purge and dashboard are the deployer API's commands, mounted under its name.
 */
import type { Command } from "commander";
import { ExitStatus, newCommand, newGroup, toolCommands } from "@weaver/runtime/tool";
import { multiDeploy } from "./deploy.js";
import { detachedDeploy, managerCommands, reportLost } from "./manager-commands.js";
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
      "RPC; the replicas that own a listener accept its connections on one shared socket. Replicas that die or stop answering health " +
      "checks are restarted. Stays in the foreground printing the app's logs; Ctrl-C drains and " +
      "stops everything. With --detach, the deployment runs in the background instead, in a manager process (one per " +
      "user, started on demand): the command returns once every replica is ready, and `weaver multi stop`, `restart`, " +
      "`scale` and `kill` manage it. Deploying an app that runs detached again, with [serviceweaver] rollout set, rolls " +
      "out: the new version takes each listener's traffic in steps (10, 25, 50, 75, 100%) over that time, and is rolled " +
      "back if its replicas crash-loop or fail health checks; `weaver multi status` shows the split and the steps.",
    examples: [
      { comment: "Deploy the app that weaver.toml names.", command: "weaver multi deploy weaver.toml" },
      { comment: "In another terminal: see its processes.", command: "weaver multi status" },
      { comment: "Deploy it in the background and return once it is ready.", command: "weaver multi deploy --detach weaver.toml" },
    ],
  })
    .argument("<config>", "the app's weaver.toml")
    .option("--detach", "run the deployment in the background (see stop, restart, scale, kill)")
    .action(async (file: string, options: { detach?: boolean }) => {
      if (options.detach === true) return detachedDeploy(file);
      const code = await multiDeploy(file);
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** Creates the `weaver multi` command group; its sub-commands are listed alphabetically, as Go's. */
export function multiCommand(): Command {
  const tools = toolCommands({ deployer: DEPLOYER, kind: "multi-process" });
  // The tools read deployments through the registry; first clean up after a manager that died.
  for (const tool of tools) tool.hook("preAction", reportLost);
  const { visible, manager } = managerCommands();
  const commands = [deployCommand(), ...tools, ...visible];
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
        {
          comment: "Run it in the background, then scale its main group to 4 replicas.",
          command: "weaver multi deploy --detach weaver.toml && weaver multi scale hello main=4",
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
  ).addCommand(manager, { hidden: true });
}
