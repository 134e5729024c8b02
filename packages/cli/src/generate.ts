/** `weaver generate [dir...]`: runs the code generator on app folders. */
import { relative } from "node:path";
import type { Command } from "commander";
import { EXIT_FAILURE, ExitStatus, newCommand } from "@weaver/runtime/tool";

/** Creates the `weaver generate` command. */
export function generateCommand(): Command {
  return newCommand({
    path: ["generate"],
    summary: "weaver code generator",
    usage: "[dir...]",
    description:
      "Checks the Weaver apps in the given folders (default: the current folder) and writes " +
      "weaver_gen.ts and weaver_manifest.json beside each app's Main component. Each folder must " +
      "have a tsconfig.json. Every problem in every app is printed, one per line, as " +
      "path:line:col: message, and then nothing is written. On success nothing is printed.",
    examples: [
      { comment: "Generate code for the app in the current folder.", command: "weaver generate" },
      {
        comment: "In CI: fail if the committed generated code is older than its sources.",
        command: "weaver generate --check examples/reverser",
      },
      {
        comment: "Generate code for two apps; problems in both are reported in one run.",
        command: "weaver generate examples/hello examples/reverser",
      },
    ],
  })
    .argument("[dir...]", "app folders, each with a tsconfig.json")
    .option("--check", "write nothing; list the generated files that are out of date and fail if any is")
    .action(async (dirs: string[], options: { check?: boolean }) => {
      // ts-morph takes a good part of a second to load: only this command pays for it.
      const { formatDiagnostic, generate } = await import("@weaver/codegen");
      const check = options.check === true;
      const result = generate(dirs.length > 0 ? dirs : ["."], { check });
      if (result.diagnostics.length > 0) {
        process.stderr.write(result.diagnostics.map((d) => formatDiagnostic(d) + "\n").join(""));
        throw new ExitStatus(EXIT_FAILURE);
      }
      if (check && result.written.length > 0) {
        const files = result.written.map((f) => `  ${relative(process.cwd(), f)}\n`).join("");
        process.stderr.write(`weaver: generated code is out of date; run \`weaver generate\` and commit:\n${files}`);
        throw new ExitStatus(EXIT_FAILURE);
      }
    });
}
