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
import { Project } from "ts-morph";
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
  const outputs = dirs.flatMap((dir) => appOutputs(resolve(cwd, dir), diag));
  return write(diag, outputs, options.check === true);
}

/** A generator that keeps one app's program between runs, for `weaver dev`. */
export interface AppGenerator {
  /** Generates the app's code again, after the files in `changed` changed (absolute paths; added, edited or removed). */
  run(changed?: readonly string[]): GenerateResult;
}

/**
 * Creates a generator for the app in `dir` that reads the app once and afterwards only the files
 * said to have changed, so that a run after an edit takes a fraction of a fresh one.
 */
export function appGenerator(dir: string, options: Omit<GenerateOptions, "check"> = {}): AppGenerator {
  const cwd = options.cwd ?? process.cwd();
  const app = resolve(cwd, dir);
  let project: Project | undefined;
  return {
    run(changed = []) {
      if (project === undefined) {
        if (existsSync(join(app, "tsconfig.json"))) project = new Project({ tsConfigFilePath: join(app, "tsconfig.json") });
      } else {
        for (const file of changed) {
          const source = project.getSourceFile(file);
          if (source === undefined) {
            if (existsSync(file) && /\.[cm]?tsx?$/.test(file)) project.addSourceFileAtPath(file);
          } else if (!existsSync(file)) {
            project.removeSourceFile(source);
          } else {
            source.refreshFromFileSystemSync();
          }
        }
      }
      const diag = new Diagnostics(cwd);
      const result = write(diag, appOutputs(app, diag, project), false);
      // What was written is part of the program the next run checks.
      for (const file of result.written) project?.getSourceFile(file)?.refreshFromFileSystemSync();
      return result;
    },
  };
}

/** The files to write for one app, or none when it has problems (reported to `diag`). */
function appOutputs(dir: string, diag: Diagnostics, project?: Project): { file: string; text: string }[] {
  const model = analyzeApp(dir, diag, project);
  if (model === undefined || diag.failed) return [];
  const manifest = buildManifest(model);
  return [
    { file: join(model.genDir, GENERATED_FILE), text: emitGenerated(model, manifest) },
    { file: join(model.genDir, MANIFEST_FILE), text: JSON.stringify(manifest, null, 2) + "\n" },
  ];
}

/** Writes the outputs whose content changed, unless there are problems or `check` says not to. */
function write(diag: Diagnostics, outputs: readonly { file: string; text: string }[], check: boolean): GenerateResult {
  if (diag.failed) return { diagnostics: diag.list, written: [] };
  const written: string[] = [];
  for (const { file, text } of outputs) {
    if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
    if (!check) writeFileSync(file, text);
    written.push(file);
  }
  return { diagnostics: [], written };
}
