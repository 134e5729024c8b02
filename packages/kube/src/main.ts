/** `weaver kube <command>`: the Kubernetes deployer's commands (deploy, babysitter). */
import { exitStatusOf, newGroup } from "@weaver/runtime/tool";
import { babysitterCommand } from "./babysitter/babysitter-command.js";
import { deployCommand } from "./deploy/deploy-command.js";

/** Runs `weaver kube <argv...>`; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // `weaver kube --help | head` closes the pipe early; that is the reader's choice, not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
  });
  const group = newGroup(
    {
      path: ["kube"],
      summary: "the Kubernetes deployer",
      examples: [
        { comment: "Write the manifests and Dockerfile of a new version.", command: "weaver kube deploy kube.yaml" },
        { comment: "What each pod's container runs.", command: "weaver kube babysitter" },
      ],
    },
    [deployCommand(), babysitterCommand()],
  );
  // Run as the plugin weaver-kube, the program is still `weaver kube` to the user.
  group.name("weaver kube");
  try {
    await group.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (e) {
    return exitStatusOf(e);
  }
}
