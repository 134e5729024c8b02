/**
 * `weaver <deployer> profile [--duration <d>] [--type cpu|heap] <deployment>`: profiles every ready
 * replica of a running deployment through its status server (POST /profile), writes the merged
 * V8 profile to a new file in the temp folder and prints its path on stdout, and nothing else
 * there, so that `code $(weaver <deployer> profile 6b28)` opens it.
 *
 * While a CPU profile runs, a spinner on stderr counts the seconds, when stderr is a terminal.
 * Replicas that gave no profile are named on stderr ("Partial profile data received"); the file
 * holds the others'. A prefix that names no running deployment, or several, fails (status 1) with
 * the candidates.
 */
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { formatAge } from "../output/table.js";
import { parseDuration } from "../config/config.js";
import type { ProfileRequest } from "../replica/deployer-protocol.js";
import { DEFAULT_PROFILE_MS, MAX_PROFILE_MS } from "../profile/profile-http.js";
import { StatusClient } from "../deployments/status-client.js";
import { findDeployment } from "../deployments/deployment-prefix.js";
import { listDeployments } from "../deployments/deployment-list.js";
import { replicaLabel, type DeploymentProfile } from "../profile/profile.js";
import { newCommand } from "./command.js";
import type { ToolSpec } from "./spec.js";
import { EXIT_FAILURE, ExitStatus, UsageError, printError } from "./errors.js";
import { startSpinner } from "./spinner.js";

/** The options of `weaver <deployer> profile`, as commander parses them. */
interface ProfileOptions {
  readonly duration: string;
  readonly type: ProfileRequest["type"];
}

/** Creates the `weaver <deployer> profile` command. */
export function profileCommand(spec: ToolSpec): Command {
  const { deployer, kind } = spec;
  return newCommand({
    path: [deployer, "profile"],
    summary: "Profile a running Weaver deployment",
    usage: "[options] <deployment>",
    description:
      `Profiles every ready replica of a running ${kind} deployment at once and writes one ` +
      "profile that merges them, with a subtree per replica named `<group> <replica> pid <pid>`, " +
      "to a new file in the temp folder; prints the file's path. A CPU profile (.cpuprofile) samples " +
      "the replicas' stacks for --duration; a heap profile (.heapprofile) shows the memory the " +
      "replicas' sampled allocations hold now. Open the file in VS Code, or in Chrome DevTools " +
      "(Performance panel for a CPU profile, Memory panel for a heap profile: Load profile).",
    examples: [
      {
        comment: "Profile the CPU of a deployment for 30 seconds; the start of its id is enough.",
        command: `weaver ${deployer} profile 6b28`,
      },
      {
        comment: "Profile for 10 seconds and open the profile in VS Code.",
        command: `code $(weaver ${deployer} profile --duration 10s 6b28)`,
      },
      { comment: "Take a heap profile of a deployment.", command: `weaver ${deployer} profile --type heap 6b28` },
    ],
  })
    .argument("<deployment>", `the id of a running deployment, or the start of one (see \`weaver ${deployer} status\`)`)
    .option("--duration <duration>", "how long a CPU profile runs, such as 30s, 500ms or 1m", `${DEFAULT_PROFILE_MS / 1000}s`)
    .addOption(new Option("--type <type>", "the kind of profile").choices(["cpu", "heap"]).default("cpu"))
    .action(async (prefix: string, options: ProfileOptions) => {
      const request: ProfileRequest = {
        type: options.type,
        durationMs: options.type === "cpu" ? profileDuration(options.duration, deployer) : 0,
      };
      if (prefix.trim() === "")
        throw new UsageError(`give the id of a deployment, or the start of one. See "weaver ${deployer} profile --help".`);
      await profile(deployer, prefix, request);
    });
}

/** Parses --duration into whole milliseconds, or throws a usage error that says how to write it. */
export function profileDuration(text: string, deployer: string): number {
  const parsed = parseDuration(text);
  const ms = parsed === undefined ? undefined : Math.round(parsed);
  if (ms === undefined || ms <= 0 || ms > MAX_PROFILE_MS) {
    const why = ms === undefined ? "is not a duration" : ms <= 0 ? "is too short" : `is longer than ${formatAge(MAX_PROFILE_MS)}`;
    throw new UsageError(
      `--duration ${JSON.stringify(text)} ${why}; write it like 30s, 500ms, 1m or 1m30s. See "weaver ${deployer} profile --help".`,
    );
  }
  return ms;
}

/** Finds the deployment, profiles it, writes the file and prints its path. */
async function profile(deployer: string, prefix: string, request: ProfileRequest): Promise<void> {
  const listing = await listDeployments({ deployer });
  const match = findDeployment(prefix, listing.running, deployer);
  if ("error" in match) {
    // A deployment whose status server did not answer is not "running" to the listing; say so.
    const unreachable = listing.unreachable
      .filter((u) => prefix.trim() !== "" && u.registration.deployment.startsWith(prefix.trim().toLowerCase()))
      .map((u) => `\ndeployment ${u.registration.deployment} of ${u.registration.app} is registered, but ${u.reason}`);
    printError(match.error + unreachable.join(""));
    throw new ExitStatus(EXIT_FAILURE);
  }
  const { registration } = match.deployment;
  const spinner = request.type === "cpu" && process.stderr.isTTY === true ? startSpinner(process.stderr, request.durationMs) : undefined;
  let result: DeploymentProfile;
  try {
    result = await StatusClient.of(registration).profile(request);
  } catch (e) {
    printError((e as Error).message);
    throw new ExitStatus(EXIT_FAILURE);
  } finally {
    spinner?.stop();
  }
  if (result.failed.length > 0) {
    const total = result.failed.length + result.replicas.length;
    const lines = result.failed.map((f) => `  ${replicaLabel(f)}: ${f.error}`).join("\n");
    process.stderr.write(`Partial profile data received: ${result.failed.length} of ${total} replicas gave no profile:\n${lines}\n`);
  }
  const path = await writeProfile(result);
  process.stdout.write(`${path}\n`);
}

/** Writes the profile to a new file in the temp folder (never over an existing one); returns its path. */
async function writeProfile(result: DeploymentProfile): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const app = result.app.replace(/[^A-Za-z0-9._-]/g, "_");
  const base = join(tmpdir(), `weaver_${app}_${result.type}_profile_${result.deployment.slice(0, 8)}_${stamp}`);
  const ext = result.type === "cpu" ? ".cpuprofile" : ".heapprofile";
  const text = JSON.stringify(result.profile);
  for (let n = 1; ; n++) {
    const path = n === 1 ? `${base}${ext}` : `${base}_${n}${ext}`;
    try {
      // "wx": create, or fail if anything (a file, a symlink) is already there.
      const file = await open(path, "wx", 0o600);
      try {
        await file.writeFile(text);
      } finally {
        await file.close();
      }
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && n < 100) continue;
      printError(
        `cannot write the profile to ${path}: ${(e as Error).message}; check that the temp folder ${tmpdir()} is writable, or set TMPDIR`,
      );
      throw new ExitStatus(EXIT_FAILURE);
    }
  }
}
