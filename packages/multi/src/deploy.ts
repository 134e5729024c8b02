/**
 * `weaver multi deploy <config>`: checks the config against the app's manifest, prints the banner,
 * starts the deployment and stays in the foreground streaming its logs. Ctrl-C or SIGTERM drains
 * and stops every replica; nothing is left behind. A group that keeps crashing at start stops
 * the deployment with its last log lines.
 */
import { banner, colorEnabled, loadDeployable, type ConfigSection } from "@weaver/runtime";
import { Deployment } from "./deployment.js";
import { MULTI_SECTION } from "./groups.js";

/** Options of multiDeploy. */
export interface DeployOptions {
  /** Called once every replica has been ready (tests, benchmarks). */
  readonly onReady?: (deployment: Deployment) => void;
  /** The sections of other deployers to check too (the weaver command knows its built-in ones). */
  readonly sections?: readonly ConfigSection<object>[];
}

/** Runs a multi-process deployment until it is stopped; resolves with the exit status. */
export async function multiDeploy(file: string, options: DeployOptions = {}): Promise<number> {
  const { config, manifest, binary } = loadDeployable(file, [MULTI_SECTION, ...(options.sections ?? [])]);
  const deployment = new Deployment({ config, manifest, binary, app: config.name ?? manifest.app, print: true });
  process.stdout.write(banner(config.name ?? manifest.app, deployment.id, colorEnabled(process.stdout)));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= deployment.stop());
  const signalled = new Promise<number>((resolve) => {
    const onSignal = (): void => {
      if (stopping !== undefined) {
        // A second Ctrl-C: stop waiting for replicas to drain.
        process.exit(130);
      }
      void stop().then(() => resolve(0));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  try {
    await deployment.start();
  } catch (e) {
    await stop();
    throw e;
  }
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
  return Promise.race([signalled, failure]);
}
