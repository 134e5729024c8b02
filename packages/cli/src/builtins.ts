/**
 * The commands built into `weaver`. Every other `weaver <x>` runs a `weaver-<x>` plugin, so a
 * deployer added here stops being dispatched to a plugin and appears in the usage.
 */
import type { Command } from "commander";
import { callgraphCommand } from "./callgraph.js";
import { devCommand } from "./dev/dev.js";
import { generateCommand } from "./generate.js";
import { multiCommand } from "@weaver/multi";
import { singleCommand } from "./single/single.js";
import { versionCommand } from "./version.js";

/** A built-in top-level command. */
export interface Builtin {
  /** The word after `weaver`. */
  readonly name: string;
  /** Its arguments as the top-level usage shows them, e.g. "<command> ...". */
  readonly args: string;
  /** What it is for, in the words of the top-level usage. */
  readonly summary: string;
  /** Creates its commander command. */
  readonly create: () => Command;
}

/** The built-in commands, in usage order. */
export const BUILTINS: readonly Builtin[] = [
  { name: "generate", args: "[dir...]", summary: "weaver code generator", create: generateCommand },
  { name: "version", args: "", summary: "show weaver version", create: versionCommand },
  { name: "dev", args: "[config]", summary: "run an app, rebuilding it on change", create: devCommand },
  { name: "single", args: "<command> ...", summary: "for single process deployments", create: singleCommand },
  { name: "multi", args: "<command> ...", summary: "for multiprocess deployments", create: multiCommand },
  { name: "callgraph", args: "<app dir or binary>", summary: "print an app's component call graph", create: callgraphCommand },
];

/** Finds the built-in command with this name. */
export function findBuiltin(name: string): Builtin | undefined {
  return BUILTINS.find((b) => b.name === name);
}
