/** `weaver kube babysitter`: what each pod's container runs (see babysitter.ts). */
import type { Command } from "commander";
import { ExitStatus, newCommand } from "@weaver/runtime/tool";
import { ENV } from "../wiring.js";
import { Babysitter, ownEntry, printEntry } from "./babysitter.js";
import { podSetup } from "./pod-setup.js";

/** Creates the `weaver kube babysitter` command. */
export function babysitterCommand(): Command {
  return newCommand({
    path: ["kube", "babysitter"],
    summary: "Run one pod's replica (the container's command)",
    examples: [{ comment: "What the container of every pod runs.", command: "weaver kube babysitter" }],
  }).action(async () => {
    const code = await runBabysitter();
    if (code !== 0) throw new ExitStatus(code);
  });
}

/**
 * Runs the pod's babysitter until SIGTERM (exit 0) or the replica's death (its status); a setup
 * that cannot work is reported as one error entry and exit 1, before anything starts.
 */
export async function runBabysitter(): Promise<number> {
  let babysitter: Babysitter;
  try {
    babysitter = new Babysitter(podSetup());
  } catch (e) {
    const env = process.env;
    printEntry(ownEntry("", "", env[ENV.podName] ?? "", "error", `weaver kube babysitter cannot start: ${(e as Error).message}`));
    return 1;
  }
  // The kubelet sends SIGTERM once; a second signal (Ctrl-C twice by hand) does not stop twice.
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<number>((resolve) => {
    const stop = (): void => void (stopping ??= babysitter.stop()).then(() => resolve(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  try {
    await babysitter.start();
  } catch (e) {
    babysitter.log("error", `weaver kube babysitter cannot start: ${(e as Error).message}`);
    await babysitter.stop();
    return 1;
  }
  return Promise.race([stopped, babysitter.died]);
}
