/**
 * `weaver <deployer> purge`: stops every running deployment of a deployer, of this user, and
 * deletes the deployer's data folder (registry, logs and traces).
 *
 * Unlike Service Weaver's purge, which kills every process whose command line matches a pattern,
 * this signals only deployers that the registry names and whose status server confirms both the
 * deployment id and the pid (see listDeployments), so it can never hit an unrelated process that
 * happens to look alike or reuses a dead deployer's pid. Each deployer gets SIGTERM, drains and
 * stops its own replicas; one still running after 10 s gets SIGKILL.
 *
 * It says what it will do and asks first. Without a terminal to ask on, it refuses (status 1)
 * unless --force is given: deleting every log is not something a script should do by accident.
 */
import { existsSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { dataDir } from "../deployments/deployment-files.js";
import { STOP_GRACE_MS, stopDeployer, type StopOutcome } from "../deployments/stop-deployer.js";
import { listDeployments, type RunningDeployment, type UnreachableDeployment } from "../deployments/deployment-list.js";
import { newCommand } from "./command.js";
import type { ToolSpec } from "./spec.js";
import { EXIT_FAILURE, ExitStatus, printError } from "./errors.js";

/** Creates the `weaver <deployer> purge` command. */
export function purgeCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "purge"],
    summary: "Stop every Weaver deployment and delete its data",
    description:
      `Stops every running ${kind} deployment of this user (SIGTERM to its deployer, which ` +
      `stops its replicas; SIGKILL after 10 seconds) and deletes the ${deployer} deployer's data folder ` +
      "with the logs of every deployment. Lists what it will do and asks first; without a " +
      "terminal, it needs --force.",
    examples: [
      { comment: "See what would be stopped and deleted, then confirm.", command: `weaver ${deployer} purge` },
      { comment: "Purge without asking, e.g. in a script.", command: `weaver ${deployer} purge --force` },
    ],
  })
    .option("--force", "do not ask for confirmation")
    .action(async (options: { force?: boolean }) => {
      await purge(spec, options.force === true);
    });
}

/** Lists, confirms, stops and deletes. */
async function purge({ deployer }: ToolSpec, force: boolean): Promise<void> {
  const { running, unreachable } = await listDeployments({ deployer });
  const dir = dataDir(deployer);
  if (running.length === 0 && unreachable.length === 0 && !existsSync(dir)) {
    out(`Nothing to purge: no ${deployer} deployment is running and ${dir} does not exist.\n`);
    return;
  }
  out(plan(running, unreachable, dir));
  if (!force) {
    if (process.stdin.isTTY !== true) {
      printError(
        "purge asks for confirmation, but stdin is not a terminal; nothing was changed. " +
          `Run \`weaver ${deployer} purge --force\` to purge without asking.`,
      );
      throw new ExitStatus(EXIT_FAILURE);
    }
    if (!(await confirm())) {
      out("Nothing was changed.\n");
      return;
    }
  }
  await Promise.all(
    running.map(async ({ registration: r }) => {
      const outcome = await stopDeployer(r.pid);
      out(`Stopping deployment ${r.deployment} of ${r.app} (deployer pid ${r.pid})... ✅${NOTES[outcome]}\n`);
    }),
  );
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    printError(`cannot delete ${dir}: ${(e as Error).message}; check its permissions and delete it by hand`);
    throw new ExitStatus(EXIT_FAILURE);
  }
  out(`Deleting ${dir}... ✅\n`);
}

/** What a stop line adds after the tick, by outcome. */
const NOTES: Readonly<Record<StopOutcome, string>> = {
  exited: "",
  killed: ` (killed: still running ${STOP_GRACE_MS / 1000}s after SIGTERM)`,
  gone: " (it had already stopped)",
};

/** The text that says what purge is about to do. */
function plan(running: readonly RunningDeployment[], unreachable: readonly UnreachableDeployment[], dir: string): string {
  const header = ["APP", "DEPLOYMENT", "DEPLOYER PID"];
  const rows = (ds: readonly { registration: RunningDeployment["registration"] }[]): string[][] =>
    ds.map(({ registration: r }) => [r.app, r.deployment, String(r.pid)]);
  let text = "";
  if (running.length > 0) {
    text +=
      `WARNING: You are about to stop these running deployments (SIGTERM to each deployer, SIGKILL after ${STOP_GRACE_MS / 1000}s):\n` +
      columns([header, ...rows(running)]) +
      "\n";
  }
  if (unreachable.length > 0) {
    text +=
      "These registered deployments did not give their status, so their deployers will not be signalled " +
      "(stop them with kill <pid> if they still run):\n" +
      columns([header, ...rows(unreachable)]) +
      "\n";
  }
  text += `WARNING: You are about to delete this folder, with the logs of every deployment:\n  ${dir}\n\n`;
  return text;
}

/** Lays out rows as left-aligned columns, two spaces apart, indented by two. */
function columns(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map(
      (r) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/** Asks on the terminal; true for y or yes. Ctrl-C or the end of input count as no. */
async function confirm(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once("close", () => resolve(undefined));
      rl.once("SIGINT", () => rl.close());
      rl.question("Enter (y)es to continue: ", resolve);
    });
    return answer !== undefined && /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function out(text: string): void {
  process.stdout.write(text);
}
