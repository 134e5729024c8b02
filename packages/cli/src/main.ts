/** The `weaver` command (placeholder until the full CLI lands). */
import { formatDiagnostic, generate } from "@weaver/codegen";

/** Runs the weaver command with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "generate") {
    const result = generate(argv.slice(1).length > 0 ? argv.slice(1) : ["."]);
    for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + "\n");
    return result.diagnostics.length > 0 ? 1 : 0;
  }
  process.stderr.write("usage: weaver generate [dir...]\n");
  return 2;
}
