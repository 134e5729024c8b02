/**
 * @weaver/codegen: `weaver generate`. Reads each app folder with full type information, checks
 * its components, and writes weaver_gen.ts and weaver_manifest.json beside Main's
 * implementation. Every problem of every app is reported in one run; files are written only
 * when there is none, and only when their content changes.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyzeApp } from "./analyze.js";
import { Diagnostics, formatDiagnostic, type Diagnostic } from "./diagnostics.js";
import { emitGenerated, GENERATED_FILE, GENERATED_HEADER } from "./emit.js";
import { buildManifest } from "./manifest.js";

export { formatDiagnostic, GENERATED_FILE, GENERATED_HEADER, type Diagnostic };
/** The name of the manifest file written beside it. */
export const MANIFEST_FILE = "weaver_manifest.json";

/** The outcome of a run of the generator. */
export interface GenerateResult {
  /** Every problem found; empty on success. */
  readonly diagnostics: readonly Diagnostic[];
  /** The files whose content changed: written, or in check mode, to be written. */
  readonly written: readonly string[];
}

/** Options of generate(). */
export interface GenerateOptions {
  /** The folder paths in diagnostics are relative to (default: the working directory). */
  readonly cwd?: string;
  /**
   * Write nothing; report in `written` the files that are out of date (CI uses this to make sure
   * committed generated code matches its sources).
   */
  readonly check?: boolean;
}

/** Generates the code of the apps in `dirs` (folders with a tsconfig.json). */
export function generate(dirs: readonly string[], options: GenerateOptions = {}): GenerateResult {
  const cwd = options.cwd ?? process.cwd();
  const diag = new Diagnostics(cwd);
  const outputs: { file: string; text: string }[] = [];
  for (const dir of dirs) {
    const model = analyzeApp(resolve(cwd, dir), diag);
    if (model === undefined || diag.failed) continue;
    const manifest = buildManifest(model);
    outputs.push(
      { file: join(model.genDir, GENERATED_FILE), text: emitGenerated(model, manifest) },
      { file: join(model.genDir, MANIFEST_FILE), text: JSON.stringify(manifest, null, 2) + "\n" },
    );
  }
  if (diag.failed) return { diagnostics: diag.list, written: [] };
  const written: string[] = [];
  for (const { file, text } of outputs) {
    if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
    if (!options.check) writeFileSync(file, text);
    written.push(file);
  }
  return { diagnostics: [], written };
}
