/** `weaver version`: prints `weaver <version> <platform>/<arch>`, like Go's `weaver version`. */
import type { Command } from "commander";
import { WEAVER_VERSION } from "@weaver/runtime";
import { newCommand } from "@weaver/runtime/tool";

/** The line `weaver version` prints, e.g. `weaver 0.1.0 linux/x64`. */
export function versionLine(): string {
  return `weaver ${WEAVER_VERSION} ${process.platform}/${process.arch}`;
}

/** Creates the `weaver version` command. */
export function versionCommand(): Command {
  return newCommand({
    path: ["version"],
    summary: "show weaver version",
    description: "Prints the version of weaver and the platform it runs on.",
    examples: [{ comment: "Show the version, e.g. weaver 0.1.0 linux/x64.", command: "weaver version" }],
  }).action(() => {
    process.stdout.write(versionLine() + "\n");
  });
}
