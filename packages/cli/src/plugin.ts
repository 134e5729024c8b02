/**
 * Deployer plugins: `weaver <x> ...` for any <x> that is not built in runs the executable
 * `weaver-<x>` found on PATH with the remaining arguments, as Service Weaver does for
 * `weaver gke` and `weaver kube`. This is how a third-party deployer joins the command.
 */
import { runChild } from "./child.js";
import { EXIT_FAILURE, ExitStatus, UsageError, findPlugin, pluginExecutable, printError } from "@weaver/runtime/tool";

/** The usage error for `weaver <name>` when no built-in command or plugin has that name. */
export function unknownCommand(name: string): UsageError {
  return new UsageError(
    `"weaver ${name}" is not a weaver command. See "weaver --help". If you're trying to invoke a ` +
      `custom deployer, the "${pluginExecutable(name)}" binary was not found on PATH.`,
    { prefixed: false }, // Service Weaver's wording, which names weaver already
  );
}

/**
 * Runs `weaver-<name> args...` with weaver's stdio and environment and resolves to its exit
 * status; throws the unknown-command usage error when no such executable is on PATH.
 */
export async function runPlugin(name: string, args: readonly string[]): Promise<number> {
  const file = findPlugin(name);
  if (file === undefined) throw unknownCommand(name);
  try {
    return await runChild(file, args);
  } catch (e) {
    // Found and executable, yet not startable: usually a #! line naming a missing interpreter.
    // Not a framework error, so no catalog code: the plugin is someone else's program.
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    printError(`cannot run ${file} (for "weaver ${name}"): ${why}: check its #! line and that its interpreter is installed`);
    throw new ExitStatus(EXIT_FAILURE);
  }
}
