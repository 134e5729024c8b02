/** `weaver multi deploy <config>`: runs the app as replicated processes (see @weaver/multi). */
import type { Command } from "commander";
import { multiDeploy } from "@weaver/multi";
import { newCommand } from "../command.js";
import { ExitStatus } from "../errors.js";

/** Creates the `weaver multi deploy` command. */
export function deployCommand(): Command {
  return newCommand({
    path: ["multi", "deploy"],
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
