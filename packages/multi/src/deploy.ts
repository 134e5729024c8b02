/**
 * `weaver multi deploy <config>`: checks the config against the app's manifest, starts the
 * deployment, prints the banner and stays in the foreground streaming its logs. Ctrl-C or SIGTERM
 * drains and stops every replica; nothing is left behind. A group that keeps crashing at start
 * stops the deployment with its last log lines; a listener that cannot have its address fails it
 * before anything starts, with one line naming the listener, the address and the fix.
 */
import { banner, colorEnabled, loadDeployable, type ConfigSection } from "@weaver/runtime";
import { Deployment } from "./deployment.js";
import { MULTI_SECTION } from "./groups.js";

/**
 * A signal that repeats within this many milliseconds is the same request: a terminal's Ctrl-C
 * reaches the whole foreground group, and a wrapper in front of the deployer (npx, npm run) passes
 * the same SIGINT on a moment later. A second signal after that means "stop waiting".
 */
const REPEAT_WINDOW_MS = 500;

/** Options of multiDeploy. */
export interface DeployOptions {
  /** Called once every replica has been ready (tests, benchmarks). */
  readonly onReady?: (deployment: Deployment) => void;
  /** The sections of other deployers to check too (the weaver command knows its built-in ones). */
  readonly sections?: readonly ConfigSection<object>[];
}

/**
 * Runs a multi-process deployment until it is stopped; resolves with the exit status. Rejects with
 * a WeaverError when the deployment cannot start (a bad config, a listener that cannot listen).
 */
export async function multiDeploy(file: string, options: DeployOptions = {}): Promise<number> {
  const { config, manifest, binary } = loadDeployable(file, [MULTI_SECTION, ...(options.sections ?? [])]);
  const app = config.name ?? manifest.app;
  const deployment = new Deployment({ config, manifest, binary, app, print: true });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= deployment.stop());
  let onSignal = (): void => {};
  let signalledAt = 0;
  const signalled = new Promise<number>((resolve) => {
    onSignal = (): void => {
      if (stopping !== undefined) {
        if (Date.now() - signalledAt <= REPEAT_WINDOW_MS) return;
        // A second Ctrl-C: stop waiting for replicas to drain, and leave nothing behind.
        deployment.kill();
        process.exit(130);
      }
      signalledAt = Date.now();
      void stop().then(() => resolve(0));
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    try {
      await deployment.start();
    } catch (e) {
      const interrupted = signalledAt > 0;
      await stop();
      if (interrupted) return await signalled;
      throw e;
    }
    process.stdout.write(banner(app, deployment.id, colorEnabled(process.stdout)));
    void deployment.ready().then(
      () => {
        deployment.system("info", `every replica is ready; listeners: ${JSON.stringify(deployment.listeners)}`);
        options.onReady?.(deployment);
      },
      () => {},
    );
    const failure = deployment.failed.then(async (message) => {
      deployment.system("error", message);
      await stop();
      process.stderr.write(`weaver: ${message}\n`);
      return 1;
    });
    return await Promise.race([signalled, failure]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
