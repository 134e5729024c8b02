/**
 * The commands of detached deployments: `deploy --detach` (detachedDeploy), `stop`, `restart`,
 * `scale`, `kill`, and the hidden `manager` that they start. Each first cleans up after a manager
 * that died (recoverLost) and reports what was lost. `stop` and `kill` also stop foreground
 * deployments (SIGTERM to their deployer, which drains them); `scale` and `restart` act on
 * detached deployments only, since only the manager can change a running deployment.
 */
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { banner, colorEnabled, listDeployments, loadDeployable } from "@weaver/runtime";
import { ExitStatus, UsageError, newCommand, printError } from "@weaver/runtime/tool";
import { DEPLOYER } from "./deployer-name.js";
import { MULTI_SECTION } from "./groups.js";
import { ManagerError, ask, ensureManager, managerRunning } from "./manager-client.js";
import { isAlive, lostMessage, managerPid, recoverLost } from "./manager-files.js";
import { runManager } from "./manager-server.js";

/** Reports, on stderr, the deployments of a manager that died, after cleaning up after them. */
export function reportLost(): void {
  for (const r of recoverLost()) printError(lostMessage(r));
}

/** Runs a manager request, turning its refusal into a one-line error and exit status 1. */
async function managerCall<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (e) {
    if (!(e instanceof ManagerError)) throw e;
    printError(e.message);
    throw new ExitStatus(1);
  }
}

/** `deploy --detach`: has the manager run the deployment, waits until it is ready, prints the banner. */
export async function detachedDeploy(file: string): Promise<void> {
  reportLost();
  // Check the config here first, so that its mistakes print exactly as a foreground deploy's.
  loadDeployable(file, [MULTI_SECTION]);
  await managerCall(ensureManager);
  const r = await managerCall(() =>
    ask<{ deployment: string; app: string; listeners: Record<string, string>; rollout?: string }>("/deploy", {
      file: resolve(file),
    }),
  );
  process.stdout.write(banner(r.app, r.deployment, colorEnabled(process.stdout)));
  for (const [name, address] of Object.entries(r.listeners)) process.stdout.write(`${name} listener available on ${address}\n`);
  if (r.rollout !== undefined)
    process.stdout.write(
      `Rolling out from ${r.rollout.slice(0, 8)}: the traffic moves to this version in steps; follow it with \`weaver multi status\`.\n`,
    );
  process.stdout.write(`Running in the background. Stop it with \`weaver multi stop ${r.deployment.slice(0, 8)}\`.\n`);
}

/** Stops the foreground deployments that `matches` picks (SIGTERM to their deployer); returns their ids. */
async function stopForeground(matches: (app: string, id: string) => boolean): Promise<string[]> {
  const { running } = await listDeployments({ deployer: DEPLOYER });
  const manager = managerPid();
  const found = running.filter((d) => d.registration.pid !== manager && matches(d.registration.app, d.registration.deployment));
  for (const d of found) process.kill(d.registration.pid, "SIGTERM");
  for (const d of found) while (isAlive(d.registration.pid)) await sleep(50);
  return found.map((d) => d.registration.deployment);
}

/** Asks the manager, when one runs, for `path`; undefined when none runs or it knows no such deployment. */
async function askDetached(path: string, body: object): Promise<string[] | undefined> {
  if (!(await managerRunning())) return undefined;
  try {
    return (await ask<{ stopped: string[] }>(path, body)).stopped;
  } catch (e) {
    if (e instanceof ManagerError && e.message.startsWith("no detached deployment")) return undefined;
    throw e;
  }
}

function stopCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "stop"],
    summary: "Stop a deployment, draining its replicas",
    usage: "<app or deployment>",
    description:
      "Stops the deployments of an app, or one deployment named by a prefix of its id: their replicas drain the calls in " +
      "flight and exit, and their proxies, sockets and registrations go. Works on detached deployments and on foreground " +
      "ones (whose deployer gets SIGTERM).",
    examples: [
      { comment: "Stop every deployment of the app hello.", command: "weaver multi stop hello" },
      { comment: "Stop one deployment.", command: "weaver multi stop 6b28" },
    ],
  })
    .argument("<target>", "an app name or a deployment id prefix")
    .action(async (target: string) => {
      reportLost();
      const detached = (await managerCall(() => askDetached("/stop", { target }))) ?? [];
      const foreground = await stopForeground((app, id) => app === target || id.startsWith(target));
      const stopped = [...detached, ...foreground];
      if (stopped.length === 0)
        throw new UsageError(
          `no running deployment is named ${target} (an app name or a deployment id prefix); see \`weaver multi status\``,
        );
      for (const id of stopped) process.stdout.write(`stopped ${id}\n`);
    });
}

function killCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "kill"],
    summary: "Stop every version of an app",
    usage: "<app>",
    description:
      "Stops every deployment of an app, detached or in the foreground, and leaves no process, socket or registration. " +
      "The manager of detached deployments exits once it runs none.",
    examples: [{ comment: "Stop every deployment of the app hello.", command: "weaver multi kill hello" }],
  })
    .argument("<app>", "the app's name")
    .action(async (app: string) => {
      reportLost();
      const detached = (await managerCall(() => askDetached("/kill", { app }))) ?? [];
      const stopped = [...detached, ...(await stopForeground((a) => a === app))];
      if (stopped.length === 0) throw new UsageError(`no deployment of app ${app} runs; see \`weaver multi status\``);
      for (const id of stopped) process.stdout.write(`stopped ${id}\n`);
    });
}

function restartCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "restart"],
    summary: "Restart the replicas of a detached deployment, one at a time",
    usage: "<app or deployment>",
    description:
      "Replaces every replica of the detached deployments named, one at a time: each new replica takes traffic once it is " +
      "ready, then the old one drains and exits, so no request is lost. Only detached deployments (deploy --detach) can be " +
      "restarted; stop a foreground one with Ctrl-C and deploy it again.",
    examples: [{ comment: "Restart the replicas of the app hello.", command: "weaver multi restart hello" }],
  })
    .argument("<target>", "an app name or a deployment id prefix")
    .action(async (target: string) => {
      reportLost();
      if (!(await managerRunning()))
        throw new UsageError("no detached deployment runs; only detached deployments (deploy --detach) can be restarted");
      const r = await managerCall(() => ask<{ restarted: string[] }>("/restart", { target }));
      for (const id of r.restarted) process.stdout.write(`restarted ${id}\n`);
    });
}

function scaleCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "scale"],
    summary: "Change the number of replicas of a group, live",
    usage: "<deployment> <group>=<n>",
    description:
      "Sets the replica count of a group of a detached deployment while it serves: new replicas take traffic once ready, " +
      "removed ones leave the proxies and routes before they drain, so no request is lost. Groups are named after their " +
      "first component (see `weaver multi status`). Only detached deployments (deploy --detach) can be scaled.",
    examples: [{ comment: "Run 4 replicas of the group main.", command: "weaver multi scale 6b28 main=4" }],
  })
    .argument("<target>", "an app name or a deployment id prefix")
    .argument("<group=n>", "the group and its new replica count")
    .action(async (target: string, spec: string) => {
      const m = /^(.+)=(\d+)$/.exec(spec);
      if (m === null) throw new UsageError(`${spec}: give the group and its replica count as <group>=<n>, e.g. main=4`);
      reportLost();
      if (!(await managerRunning()))
        throw new UsageError("no detached deployment runs; only detached deployments (deploy --detach) can be scaled");
      const r = await managerCall(() => ask<{ scaled: string }>("/scale", { target, group: m[1], replicas: Number(m[2]) }));
      process.stdout.write(`scaled ${m[1]} of ${r.scaled} to ${m[2]}\n`);
    });
}

function managerCommand(): Command {
  return newCommand({
    path: [DEPLOYER, "manager"],
    summary: "Run the manager of detached deployments (started by deploy --detach)",
    examples: [{ comment: "Started by deploy --detach; not run by hand.", command: "weaver multi deploy --detach weaver.toml" }],
  }).action(async () => {
    reportLost();
    await runManager();
    process.exit(0);
  });
}

/** The commands of detached deployments; `manager` is to be mounted hidden. */
export function managerCommands(): { visible: Command[]; manager: Command } {
  return { visible: [stopCommand(), killCommand(), restartCommand(), scaleCommand()], manager: managerCommand() };
}
