/**
 * The top-level usage of `weaver` (`weaver help`, `weaver --help`), in the layout of Service
 * Weaver's: USAGE, DESCRIPTION, then our EXAMPLES and EXIT STATUS. Built from BUILTINS so that
 * it always lists exactly the commands that exist.
 */
import { BUILTINS } from "./builtins.js";
import { EXIT_FAILURE, EXIT_USAGE, formatExamples } from "@weaver/runtime/tool";

const WIDTH = 80;

/** Word-wraps a paragraph to WIDTH columns, every line indented by `indent`. */
export function wrap(text: string, indent = "  "): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines.join("\n");
}

/** Joins quoted items as English: "a", "b" and "c". */
function list(items: readonly string[]): string {
  const quoted = items.map((i) => `"${i}"`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** Renders the top-level usage text. */
export function usage(): string {
  const nameWidth = Math.max(...BUILTINS.map((b) => b.name.length));
  const rows: [string, string][] = BUILTINS.map((b) => [`weaver ${b.name.padEnd(nameWidth)} ${b.args}`.trimEnd(), b.summary]);
  rows.push(["weaver <deployer> <command> ...", "runs weaver-<deployer> from PATH"]);
  const left = Math.max(...rows.map(([l]) => l.length)) + 2;
  const commands = rows.map(([l, r]) => `  ${l.padEnd(left)}// ${r}`).join("\n");
  const builtins = list(BUILTINS.map((b) => `weaver ${b.name}`));
  return `USAGE

${commands}

DESCRIPTION

${wrap('Use the "weaver" command to deploy and manage Weaver applications.')}

${wrap(
  `The ${builtins} subcommands are baked in, but all other subcommands of the form ` +
    `"weaver <deployer>" dispatch to an executable called "weaver-<deployer>" found on PATH. ` +
    `"weaver gke status", for example, dispatches to "weaver-gke status".`,
)}

${wrap('Run "weaver help <command>" for the help of a command, built in or not.')}

EXAMPLES

${formatExamples([
  { comment: "Write weaver_gen.ts for the app in the current folder.", command: "weaver generate ." },
  { comment: "Run the app that weaver.toml names, in one process.", command: "weaver single deploy weaver.toml" },
  { comment: "Show the sub-commands of the single-process deployer.", command: "weaver help single" },
])}

EXIT STATUS

${wrap(
  `0 on success, ${EXIT_FAILURE} when a command fails, ${EXIT_USAGE} on a usage mistake (an unknown ` +
    "command or flag, a missing or extra argument). A deployed app's or a plugin's exit status " +
    "is passed on; an app ended by a signal gives 128 + the signal number.",
)}
`;
}
