/**
 * The app `weaver dev` keeps running: started from its build as `weaver single deploy` would
 * start it (a child process), or with `--multi` as a multi deployment in this process; replaced
 * by a new one after each good build. A new version starts only once the old one has stopped, so
 * the listeners' ports are free for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Deployment, MULTI_SECTION } from "@weaver/multi";
import { appCommand, appEnvironment, banner, colorEnabled, loadDeployable, type Deployable } from "@weaver/runtime";

/** How long a version may take to stop before it is killed. */
const STOP_GRACE_MS = 5_000;

/** One running version of the app. */
interface Running {
  stop(): Promise<void>;
  /** Settles when the version ends by itself (a crash, main() returning). */
  readonly ended: Promise<string>;
}

/** Runs the app of one config file, one version at a time. */
export class AppRunner {
  readonly #file: string;
  readonly #multi: boolean;
  #running: Running | undefined;

  constructor(file: string, multi: boolean) {
    this.#file = file;
    this.#multi = multi;
  }

  /** Whether a version runs (it may have ended by itself since). */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Stops the version that runs, if any, and starts the one just built; resolves once it is
   * started (a multi deployment: once every replica is ready).
   */
  async restart(onEnd: (why: string) => void): Promise<void> {
    await this.stop();
    // Read again each time: the config may have changed, and it is checked against the new build.
    const app = loadDeployable(this.#file, [MULTI_SECTION]);
    const running = this.#multi ? await startMulti(app) : startSingle(app);
    this.#running = running;
    void running.ended.then((why) => {
      if (this.#running === running) onEnd(why);
    });
  }

  /** Stops the version that runs, if any. */
  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    await running?.stop();
  }
}

function startSingle({ config, binary }: Deployable): Running {
  const [command, args] = appCommand(binary, config.args);
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env: appEnvironment(config) });
  const ended = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) =>
      resolve(signal !== null ? `the app was killed by ${signal}` : `the app exited with status ${code}`),
    ),
  );
  // Whatever happens to weaver dev, its app does not outlive it.
  const kill = (): void => void child.kill("SIGKILL");
  process.once("exit", kill);
  return {
    ended,
    async stop() {
      process.off("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await new Promise((resolve) => child.once("exit", resolve));
      clearTimeout(timer);
    },
  };
}

async function startMulti({ config, manifest, binary }: Deployable): Promise<Running> {
  const app = config.name ?? manifest.app;
  const deployment = new Deployment({ config, manifest, binary, app, print: true });
  process.stdout.write(banner(app, deployment.id, colorEnabled(process.stdout)));
  try {
    // Ready before it counts as restarted, so that the next request meets the new version.
    await deployment.start();
    await deployment.ready();
  } catch (e) {
    await deployment.stop();
    throw e;
  }
  return { ended: deployment.failed, stop: () => deployment.stop() };
}
