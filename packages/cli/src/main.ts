/**
 * The `weaver` command. main() decides who handles the arguments: the top-level help, a built-in
 * command (parsed by commander), or a `weaver-<x>` plugin; and turns every outcome into an exit
 * status (see the EXIT STATUS section of the usage).
 */
import { Command } from "commander";
import { BUILTINS, findBuiltin } from "./builtins.js";
import { EXIT_USAGE, UsageError, exitStatusOf } from "@weaver/runtime/tool";
import { runPlugin } from "./plugin.js";
import { usage } from "./usage.js";

const HELP_FLAGS = new Set(["-h", "--help"]);

/** Runs the weaver command with `argv` (without node and script); returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  // `weaver help | head` closes the pipe early; that is the reader's choice, not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
  });
  try {
    return await dispatch(argv);
  } catch (e) {
    return exitStatusOf(e);
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(usage()); // like Go's weaver: bare `weaver` is a usage mistake
    return EXIT_USAGE;
  }
  if (first === "help" || HELP_FLAGS.has(first)) return help(rest);
  if (first.startsWith("-")) throw new UsageError(`unknown flag ${first}. See "weaver --help".`);
  if (findBuiltin(first) !== undefined) return runBuiltin(argv);
  return runPlugin(first, rest);
}

/** `weaver help [command [sub-command]]`. */
async function help(args: readonly string[]): Promise<number> {
  const [name, ...sub] = args;
  if (name === undefined || name === "help" || HELP_FLAGS.has(name)) {
    process.stdout.write(usage());
    return 0;
  }
  if (findBuiltin(name) !== undefined) return runBuiltin([name, ...sub, "--help"]);
  if (name.startsWith("-")) throw new UsageError(`unknown flag ${name}. See "weaver --help".`);
  return runPlugin(name, ["--help"]);
}

/** Parses `argv`, which starts with a built-in command's name, with commander and runs it. */
async function runBuiltin(argv: readonly string[]): Promise<number> {
  // The root only anchors the "weaver" in usage lines; main() has already handled top-level help.
  const root = new Command("weaver").exitOverride().helpOption(false).helpCommand(false);
  for (const builtin of BUILTINS) root.addCommand(builtin.create());
  await root.parseAsync([...argv], { from: "user" });
  return 0;
}
