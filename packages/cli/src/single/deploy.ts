/**
 * `weaver single deploy <config>`: runs the app in one process. Like `node dist/main.js` with
 * SERVICEWEAVER_CONFIG set, except that the config, the binary and the generated code are checked
 * first, so a bad weaver.toml fails here, before anything starts. The app prints the banner.
 */
import type { Command } from "commander";
import { MULTI_SECTION } from "@weaver/multi";
import { appCommand, appEnvironment, loadDeployable, runtimeError, shownPath } from "@weaver/runtime";
import { ExitStatus, newCommand } from "@weaver/runtime/tool";
import { runChild } from "../child.js";

/** Creates the `weaver single deploy` command. */
export function deployCommand(): Command {
  return newCommand({
    path: ["single", "deploy"],
    summary: "Deploy a Weaver app in one process",
    usage: "<config>",
    description:
      "Runs the app named by [serviceweaver] binary in the config file, with all its components " +
      "in one process. The config is checked against the app before it starts. Stop the app with " +
      "Ctrl-C; weaver exits with the app's exit status.",
    examples: [
      { comment: "Run the app that weaver.toml names.", command: "weaver single deploy weaver.toml" },
      {
        comment: "Run the hello example (build it first with npm run build).",
        command: "weaver single deploy examples/hello/weaver.toml",
      },
    ],
  })
    .argument("<config>", "the app's weaver.toml")
    .action(async (file: string) => {
      const code = await deploy(file);
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** Checks the config and the app, runs the app in the foreground, and resolves to its exit status. */
export async function deploy(file: string): Promise<number> {
  // The sections of the other built-in deployer are checked too: one weaver.toml serves both.
  const { config, binary } = loadDeployable(file, [MULTI_SECTION]);
  const [command, args] = appCommand(binary, config.args);
  try {
    return await runChild(command, args, { env: appEnvironment(config) });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `cannot run binary ${shownPath(binary)} (from [serviceweaver] binary in ${file}): ${why}: ` +
        "make it executable (chmod +x), or for a Node.js app point binary at its .js entry file",
    );
  }
}
