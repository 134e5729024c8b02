/**
 * The incremental compiler of `weaver dev`: the app's own TypeScript (resolved from the app's
 * folder, so the app compiles as `tsc -p .` would compile it), kept in memory between builds. A
 * build reuses the last program and every source file whose modification time has not changed,
 * so after an edit it checks and emits in a fraction of a second. Like `noEmitOnError`, a build
 * with errors emits nothing: the last good output stays in place.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type * as TS from "typescript";
import { UsageError } from "@weaver/runtime/tool";

/** What a build gave: nothing when it emitted, the errors as `file:line:col: message` otherwise. */
export interface BuildResult {
  readonly errors: readonly string[];
}

/** Compiles one TypeScript project again and again. */
export class IncrementalCompiler {
  readonly #ts: typeof TS;
  readonly #tsconfig: string;
  readonly #cwd: string;
  readonly #files = new Map<string, { readonly mtime: number; readonly file: TS.SourceFile }>();
  #last: TS.EmitAndSemanticDiagnosticsBuilderProgram | undefined;

  /** `dir` is the app's folder, with its tsconfig.json; paths in errors are relative to `cwd`. */
  constructor(dir: string, cwd = process.cwd()) {
    this.#tsconfig = join(dir, "tsconfig.json");
    this.#cwd = cwd;
    try {
      this.#ts = createRequire(join(dir, "package.json"))("typescript") as typeof TS;
    } catch {
      throw new UsageError(
        `weaver dev compiles the app with its own TypeScript, which ${dir} does not have: npm install --save-dev typescript`,
      );
    }
  }

  /** Where the build writes its output (compilerOptions.outDir), if the tsconfig says. */
  outDir(): string | undefined {
    const ts = this.#ts;
    return ts.getParsedCommandLineOfConfigFile(this.#tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })?.options
      .outDir;
  }

  /** Checks the whole program and, when there is no error, emits what changed. */
  build(): BuildResult {
    const ts = this.#ts;
    const config = ts.getParsedCommandLineOfConfigFile(this.#tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (config === undefined) return { errors: [`${relative(this.#cwd, this.#tsconfig)}: cannot be read as a tsconfig.json`] };
    const host = ts.createIncrementalCompilerHost(config.options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError, create) => {
      let mtime: number;
      try {
        mtime = statSync(fileName).mtimeMs;
      } catch {
        return undefined;
      }
      const known = this.#files.get(fileName);
      if (known?.mtime === mtime) return known.file;
      const file = read(fileName, language, onError, create);
      if (file !== undefined) this.#files.set(fileName, { mtime, file });
      return file;
    };
    const program = ts.createEmitAndSemanticDiagnosticsBuilderProgram(
      config.fileNames,
      config.options,
      host,
      this.#last,
      config.errors,
      config.projectReferences,
    );
    this.#last = program;
    const diagnostics = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getSyntacticDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSemanticDiagnostics(),
    ];
    const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) return { errors: errors.map((d) => this.#format(d)) };
    const emitted = program.emit();
    return { errors: emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => this.#format(d)) };
  }

  /** `file:line:col: message`, as tsc prints it (without colour). */
  #format(d: TS.Diagnostic): string {
    const message = this.#ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(this.#cwd, d.file.fileName)}:${line + 1}:${character + 1}: error TS${d.code}: ${message}`;
  }
}
