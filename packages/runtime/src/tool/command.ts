/**
 * The one way the CLI builds a commander command, so that every command shares the same error
 * handling (no process.exit, `weaver:` prefix, a hint to the help) and every help ends with
 * Examples.
 */
import { Command } from "commander";
import { printError } from "./errors.js";

/** One example in a command's help: what it does, then the command line. */
export interface Example {
  /** One sentence, printed as a `#` comment above the command. */
  readonly comment: string;
  /** The command line, starting with `weaver`. */
  readonly command: string;
}

/** What a command says about itself in help. */
export interface CommandSpec {
  /** The words after `weaver`, e.g. ["single", "deploy"]; the last one is the command's name. */
  readonly path: readonly string[];
  /** One line, shown in the parent's command list. */
  readonly summary: string;
  /** A paragraph shown under Usage (one line; commander wraps it); defaults to the summary. */
  readonly description?: string;
  /** The arguments part of the Usage line, e.g. "<config>"; commander's default otherwise. */
  readonly usage?: string;
  /** A paragraph shown after the lists of arguments, options and commands, before the examples. */
  readonly notes?: string;
  /** At least one example; help without examples is incomplete. */
  readonly examples: readonly [Example, ...Example[]];
}

/** Renders an Examples section, each example as a comment line and a command line. */
export function formatExamples(examples: readonly Example[], indent = "  "): string {
  return examples.map((e) => `${indent}# ${e.comment}\n${indent}${e.command}`).join("\n\n");
}

/** The weaver command line of a command path, e.g. `weaver single deploy`. */
export function commandLine(path: readonly string[]): string {
  return ["weaver", ...path].join(" ");
}

/**
 * Creates a command configured the CLI's way: errors throw (main() maps them to exit statuses),
 * usage errors print `weaver: <what>` plus a pointer to the help, and the help ends with the
 * spec's examples. Add arguments, options and an action (or sub-commands) to the result.
 */
export function newCommand(spec: CommandSpec): Command {
  const name = spec.path[spec.path.length - 1] ?? "weaver";
  const command = new Command(name)
    .summary(spec.summary)
    .description(spec.description ?? spec.summary)
    .helpOption("-h, --help", "Print this help message.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s) => printError(s.replace(/^error: /, "").trimEnd()),
    })
    .showHelpAfterError(`See "${commandLine(spec.path)} --help".`)
    .addHelpText("after", `${spec.notes === undefined ? "" : `\n${spec.notes}\n`}\nExamples:\n${formatExamples(spec.examples)}`);
  if (spec.usage !== undefined) command.usage(spec.usage);
  return command;
}

/**
 * Creates a command that only groups sub-commands (`weaver single`): bare, it prints its help to
 * stderr and exits 2; `help [command]` and `--help` print help to stdout.
 */
export function newGroup(spec: CommandSpec, children: readonly Command[]): Command {
  const notes = `Use "${commandLine(spec.path)} help <command>" for more information about a command.`;
  const group = newCommand({ usage: "<command> ...", notes, ...spec }).helpCommand("help [command]", "Print help for a sub-command.");
  for (const child of children) group.addCommand(child);
  return group;
}
